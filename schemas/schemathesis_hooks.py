"""Schemathesis hooks for the unified API's OpenAPI document (schemas/openapi.yaml).

Load with `SCHEMATHESIS_HOOKS=schemas.schemathesis_hooks` from the repository root (see the
README, "Checking the API against its schema"). They register generators for the document's
named formats, whose definitions are in the document's `info.description`, and keep
generated requests within the `x-date-order` rules, which JSON Schema cannot express.
"""

import datetime
import string

import schemathesis
from hypothesis import strategies as st

# Vietnam (UTC+7): the calendar "today" of the past-date formats.
ICT = datetime.timezone(datetime.timedelta(hours=7))
WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)


def _today():
    return datetime.datetime.now(ICT).date()


def _days(first):
    return st.dates(min_value=first, max_value=_today() - datetime.timedelta(days=1))


def _enterprise_code(digits, branch):
    check = 10 - sum(int(d) * w for d, w in zip(digits, WEIGHTS)) % 11
    if check == 10:
        return None
    code = f"{digits}{check}"
    return f"{code}-{branch}" if branch is not None else code


_nine = st.text(alphabet=string.digits, min_size=9, max_size=9)
_branch = st.none() | st.text(alphabet=string.digits, min_size=3, max_size=3)
_birth_dates = _days(datetime.date(1900, 1, 1)).map(datetime.date.isoformat)
_label = st.text(alphabet=string.ascii_lowercase + string.digits, min_size=1, max_size=12)

schemathesis.openapi.format(
    "enterprise-code",
    st.builds(_enterprise_code, _nine, _branch).filter(lambda c: c is not None),
)
schemathesis.openapi.format("past-date", _birth_dates)
schemathesis.openapi.format("birth-date", _birth_dates)
schemathesis.openapi.format(
    "birth-date-or-year",
    _birth_dates
    | st.integers(min_value=1900, max_value=_today().year - 1).map(str),
)
schemathesis.openapi.format(
    "callback-url",
    st.builds(
        lambda host, path: f"https://{host}.example.org/{path}",
        _label,
        _label,
    ),
)


def _resolve(root, schema):
    while isinstance(schema, dict) and "$ref" in schema:
        node = root
        for part in schema["$ref"].lstrip("#/").split("/"):
            node = node[part]
        schema = node
    return schema


def _in_order(root, schema, value):
    """Whether `value` keeps every `x-date-order` rule of `schema`, at every depth."""
    schema = _resolve(root, schema)
    if not isinstance(schema, dict):
        return True
    for part in schema.get("allOf", []):
        if not _in_order(root, part, value):
            return False
    if isinstance(value, dict):
        for rule in schema.get("x-date-order", []):
            earlier, later = value.get(rule["earlier"]), value.get(rule["later"])
            if isinstance(earlier, str) and isinstance(later, str):
                if later < earlier or (rule["strict"] and later == earlier):
                    return False
        for name, sub in schema.get("properties", {}).items():
            if name in value and not _in_order(root, sub, value[name]):
                return False
    if isinstance(value, list) and "items" in schema:
        return all(_in_order(root, schema["items"], item) for item in value)
    return True


@schemathesis.hook
def filter_query(context, query):
    rules = context.operation.definition.raw.get("x-date-order", [])
    return query is None or _in_order({}, {"x-date-order": rules}, query)


@schemathesis.hook
def filter_body(context, body):
    operation = context.operation
    content = operation.definition.raw.get("requestBody", {}).get("content", {})
    schema = content.get("application/json", {}).get("schema")
    return schema is None or _in_order(operation.schema.raw_schema, schema, body)
