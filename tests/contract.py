"""Fortnox's OpenAPI document as a test oracle: check requests and responses against it.

The document is not part of the repository. It is read from `$FORTNOX_OPENAPI`, else from
`<repo>/../shared/reference/fortnox-openapi.json`; `load_contract()` returns None and `load_contract_or_skip()`
skips the test when it is missing.

* An operation is found by matching the path against the document's path templates; literal segments win over
  templates (`/3/vouchers/sublist/A` is `listSeries`, not `get_57`).
* A request is valid when the operation exists, every query parameter is either declared by the operation (names
  compared case-insensitively, as Fortnox treats them, and the value must fit the declared schema) or one of the
  generic list parameters Fortnox documents for all lists (`GENERIC_QUERY_PARAMETERS`), and the JSON body fits the
  operation's requestBody schema. Path parameter values are not checked (the document types article numbers as
  integers although Fortnox accepts any article number).
* A response is valid when its status is documented for the operation (or `default` covers it) and the body fits
  that schema. JSON numbers parsed as Decimal are checked as numbers; `integer` does not accept 5.0.
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from jsonschema.validators import extend  # type: ignore[import-untyped]
from openapi_schema_validator import OAS30Validator

REPO_ROOT = Path(__file__).resolve().parent.parent
ENV_VAR = "FORTNOX_OPENAPI"

#: Parameters Fortnox documents for (almost) every list, whether or not an operation declares them.
GENERIC_QUERY_PARAMETERS = frozenset(
    {
        "limit",
        "page",
        "offset",
        "lastmodified",
        "sortby",
        "sortorder",
        "fromdate",
        "todate",
        "financialyear",
        "financialyeardate",
        "filter",
    }
)


def spec_path() -> Path:
    configured = os.environ.get(ENV_VAR)
    if configured:
        return Path(configured)
    return REPO_ROOT.parent / "shared" / "reference" / "fortnox-openapi.json"


def _is_strict_integer(checker: Any, instance: Any) -> bool:
    return isinstance(instance, int) and not isinstance(instance, bool)


_Validator = extend(OAS30Validator, type_checker=OAS30Validator.TYPE_CHECKER.redefine("integer", _is_strict_integer))


def _for_validator(value: Any) -> Any:
    """A copy the validator understands: Decimal -> float (only here; the data under test keeps its Decimals)."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, Mapping):
        return {k: _for_validator(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_for_validator(v) for v in value]
    return value


class Operation:
    def __init__(self, method: str, template: str, spec: Mapping[str, Any]) -> None:
        self.method = method
        self.template = template
        self.spec = spec
        self.segments = tuple(template.strip("/").split("/"))

    @property
    def operation_id(self) -> str:
        return str(self.spec.get("operationId", ""))

    def match(self, parts: list[str]) -> bool:
        if len(parts) != len(self.segments):
            return False
        return all(s.startswith("{") or s == p for s, p in zip(self.segments, parts, strict=True))

    @property
    def specificity(self) -> tuple[bool, ...]:
        return tuple(s.startswith("{") for s in self.segments)


class OpenApiContract:
    def __init__(self, spec: Mapping[str, Any], source: Path | None = None) -> None:
        self.spec = spec
        self.source = source
        self._components = spec.get("components", {})
        self._operations: list[Operation] = []
        for template, item in spec.get("paths", {}).items():
            for method, operation in item.items():
                if method in ("get", "post", "put", "delete", "patch"):
                    self._operations.append(Operation(method.upper(), template, operation))
        self._validators: dict[str, Any] = {}
        self._format_checker = OAS30Validator.FORMAT_CHECKER

    @classmethod
    def from_path(cls, path: Path) -> OpenApiContract:
        return cls(json.loads(path.read_text(encoding="utf-8")), path)

    # -- lookup ----------------------------------------------------------------------------------------------------

    def find_operation(self, method: str, path: str) -> Operation | None:
        parts = path.split("?")[0].strip("/").split("/")
        candidates = [op for op in self._operations if op.method == method.upper() and op.match(parts)]
        if not candidates:
            return None
        return min(candidates, key=lambda op: op.specificity)

    def _validator(self, schema: Mapping[str, Any]) -> Any:
        key = json.dumps(schema, sort_keys=True)
        validator = self._validators.get(key)
        if validator is None:
            root = {**schema, "components": self._components}
            validator = _Validator(root, format_checker=self._format_checker)
            self._validators[key] = validator
        return validator

    def validate(self, schema: Mapping[str, Any], value: Any) -> list[str]:
        validator = self._validator(schema)
        problems = []
        for error in sorted(validator.iter_errors(_for_validator(value)), key=lambda e: list(e.absolute_path)):
            where = "/".join(str(p) for p in error.absolute_path) or "(root)"
            problems.append(f"{where}: {error.message}")
        return problems

    # -- requests ----------------------------------------------------------------------------------------------------

    def check_request(self, method: str, path: str, query: Mapping[str, str] | None, body: Any) -> list[str]:
        operation = self.find_operation(method, path)
        if operation is None:
            return [f"{method} {path}: no such operation in the OpenAPI document"]
        problems: list[str] = []
        declared = {p["name"].lower(): p for p in operation.spec.get("parameters", []) if p.get("in") == "query"}
        given = {name.lower(): value for name, value in (query or {}).items()}
        for name, value in given.items():
            parameter = declared.get(name)
            if parameter is None:
                if name not in GENERIC_QUERY_PARAMETERS:
                    problems.append(f"query parameter {name!r} is not declared for {operation.operation_id}")
                continue
            problems.extend(f"query {name}: {p}" for p in self._check_parameter(parameter, value))
        for name, parameter in declared.items():
            if parameter.get("required") and name not in given:
                problems.append(f"required query parameter {name!r} is missing")
        request_body = operation.spec.get("requestBody")
        if request_body is None:
            if body is not None:
                problems.append(f"{operation.operation_id} takes no request body")
        elif body is None:
            if request_body.get("required"):
                problems.append(f"{operation.operation_id} requires a request body")
        else:
            schema = _json_schema(request_body.get("content", {}))
            if schema is not None:
                problems.extend(f"body {p}" for p in self.validate(schema, body))
        return [f"{method} {path}: {p}" for p in problems]

    def _check_parameter(self, parameter: Mapping[str, Any], value: str) -> list[str]:
        schema = parameter.get("schema") or {}
        kind = schema.get("type", "string")
        converted: Any = value
        if kind == "integer":
            try:
                converted = int(value)
            except ValueError:
                return [f"{value!r} is not an integer"]
        elif kind == "number":
            try:
                converted = Decimal(value)
            except ArithmeticError:
                return [f"{value!r} is not a number"]
        elif kind == "boolean":
            if value.lower() not in ("true", "false"):
                return [f"{value!r} is not a boolean"]
            converted = value.lower() == "true"
        if kind == "string" and schema.get("format") == "date":
            try:
                date.fromisoformat(value)
            except ValueError:
                return [f"{value!r} is not a date (YYYY-MM-DD)"]
        return self.validate(schema, converted)

    # -- responses ---------------------------------------------------------------------------------------------------

    def check_response(self, method: str, path: str, status: int, body: Any) -> list[str]:
        operation = self.find_operation(method, path)
        if operation is None:
            return [f"{method} {path}: no such operation in the OpenAPI document"]
        responses = operation.spec.get("responses", {})
        documented = responses.get(str(status)) or responses.get(f"{str(status)[0]}XX") or responses.get("default")
        if documented is None:
            return [f"{method} {path}: status {status} is not documented for {operation.operation_id}"]
        schema = _json_schema(documented.get("content", {}))
        if schema is None:
            if body not in (None, b"", ""):
                return [f"{method} {path}: status {status} documents no body but one was sent"]
            return []
        if body is None:
            return [f"{method} {path}: status {status} should have a JSON body"]
        return [f"{method} {path} -> {status}: {p}" for p in self.validate(schema, body)]


def _json_schema(content: Mapping[str, Any]) -> Mapping[str, Any] | None:
    for media in ("application/json", "*/*"):
        entry = content.get(media)
        if entry is not None and "schema" in entry:
            schema: Mapping[str, Any] = entry["schema"]
            return schema
    return None


class ContractRecorder:
    """An observer for `Sandbox.observers`: checks every /3 exchange and collects the violations."""

    def __init__(self, contract: OpenApiContract, *, check_requests: bool = True) -> None:
        self.contract = contract
        self.check_requests = check_requests
        self.violations: list[str] = []
        self.checked = 0
        self.operations: set[tuple[str, str]] = set()

    def __call__(self, exchange: Any) -> None:
        if not exchange.path.startswith("/3/"):
            return
        self.checked += 1
        operation = self.contract.find_operation(exchange.method, exchange.path)
        if operation is not None:
            self.operations.add((operation.method, operation.template))
        problems: list[str] = []
        if self.check_requests:
            found = self.contract.check_request(exchange.method, exchange.path, exchange.query, exchange.request_body)
            problems += [f"request: {p}" for p in found]
        found = self.contract.check_response(exchange.method, exchange.path, exchange.status, exchange.response_body)
        problems += [f"response: {p}" for p in found]
        self.violations.extend(problems)


@functools.cache
def _load(path: str) -> OpenApiContract | None:
    file = Path(path)
    if not file.is_file():
        return None
    return OpenApiContract.from_path(file)


def load_contract() -> OpenApiContract | None:
    """The contract, or None when the OpenAPI document is not available (cached per path)."""
    return _load(str(spec_path()))


def load_contract_or_skip() -> OpenApiContract:
    contract = load_contract()
    if contract is None:
        pytest.skip(
            f"Fortnox's OpenAPI document was not found at {spec_path()}: set {ENV_VAR} to its path to run the "
            "contract tests"
        )
    return contract
