"""The generated client's side of the contract: what it makes of a response, and the strategies
its tests draw requests from."""
