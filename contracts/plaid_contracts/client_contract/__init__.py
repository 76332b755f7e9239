"""The generated client's side of the contract: what its tests expect of each call (a typed
success, or the typed error of Plaid's error_type/error_code)."""
