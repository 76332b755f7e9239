"""POST /session/token/create: its fields, its check order, its template check and its answer.

Plaid's endpoint reference: https://plaid.com/docs/api/products/layer/#sessiontokencreate (and
Plaid's published spec 1.658.0 and later for the root-level ``user_id``). The rules' sources are
the BEHAVIOUR.md rows; the tagged assumptions are in ``assumptions``.
"""

from __future__ import annotations

from collections.abc import Mapping

from .. import assumptions, catalogue
from ..config import SandboxConfig
from ..endpoint import Endpoint, Responder
from ..fields import BodyRules, Check, FieldType, Object, String, Url, get
from ..responses import Expirations, Response, json_response, new_link_token
from ..validation import Rejection, RequestHeaders

PATH = "/session/token/create"

TOP_LEVEL_FIELDS = frozenset(
    {
        "client_id",
        "secret",
        "template_id",
        "user",
        "user_id",
        "webhook",
        "redirect_uri",
        "android_package_name",
    }
)
USER_FIELDS = frozenset({"client_user_id", "user_id"})

_TYPES: dict[str, FieldType] = {
    "user": Object(assumptions.USER_NOT_OBJECT_MESSAGE),
    "webhook": Url(assumptions.WEBHOOK_SCHEMES, assumptions.WEBHOOK_INVALID_MESSAGE),
}


def _check_template_id(
    data: dict[str, object], headers: RequestHeaders, config: SandboxConfig
) -> Rejection | None:
    template_id = get(data, "template_id")
    if not isinstance(template_id, str) or template_id not in config.template_ids:
        return Rejection(catalogue.UNKNOWN_TEMPLATE)
    return None


def _check_allow_lists(
    data: dict[str, object], headers: RequestHeaders, config: SandboxConfig
) -> Rejection | None:
    """Documented: both must be on the Dashboard's allow-lists (exact match here, [A31])."""
    redirect_uri = get(data, "redirect_uri")
    # An empty value reaches this check only when [A7] allows it: "left blank", not listed.
    if isinstance(redirect_uri, str) and redirect_uri and redirect_uri not in config.redirect_uris:
        return Rejection(catalogue.REDIRECT_URI_NOT_ALLOWED)
    package = get(data, "android_package_name")
    if isinstance(package, str) and package and package not in config.android_package_names:
        return Rejection(catalogue.ANDROID_PACKAGE_NOT_ALLOWED)
    return None


_CHECKS: dict[str, Check] = {"template_id": _check_template_id, "allow_lists": _check_allow_lists}

RULES = BodyRules(
    known=TOP_LEVEL_FIELDS | {f"user.{name}" for name in USER_FIELDS},
    required=assumptions.MISSING_FIELD_ORDER,
    # Documented: `user` is "required if a root-level `user_id` is not provided".
    required_unless={"user": "user_id"},
    types=tuple((path, _TYPES.get(path, String())) for path in assumptions.FIELD_TYPE_CHECK_ORDER),
    order=assumptions.BODY_CHECK_ORDER,
    checks=_CHECKS,
)


def _success(config: SandboxConfig) -> Responder:
    expirations = Expirations(config.token_lifetime_seconds)
    now = config.now

    def answer(data: dict[str, object], request_id: str) -> Response:
        # The bytes of json.dumps(payload, sort_keys=True, separators=(",", ":")) (the tests
        # compare them): all three strings are ASCII letters, digits, "-" and ":", which JSON
        # never escapes.
        body = (
            f'{{"link":{{"expiration":"{expirations.at(now())}",'
            f'"link_token":"{new_link_token()}"}},"request_id":"{request_id}"}}'
        ).encode("ascii")
        return json_response(body)

    return answer


def _example(config: SandboxConfig) -> Mapping[str, object]:
    return {"template_id": min(config.template_ids), "user": {"client_user_id": "user-1"}}


ENDPOINT = Endpoint(path=PATH, rules=RULES, success=_success, example=_example)
