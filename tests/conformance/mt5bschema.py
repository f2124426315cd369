"""Validate mt5b v1 messages against the JSON Schemas in docs/mt5b/schemas (one per message type).

Usage:
    from mt5bschema import SchemaSet
    schemas = SchemaSet()                       # loads docs/mt5b/schemas next to this checkout
    problems = schemas.validate(msg, "bridge")  # [] when valid; "bridge" = bridge->client, "client" = client->bridge
    problems = schemas.validate_frame(text, "client")   # parses one text frame first

The $refs (defs.schema.json) resolve from a local store: no network. jsonschema 4.10 (Debian), Draft 2020-12.
"""
import json
import os

import jsonschema
from jsonschema import Draft202012Validator, RefResolver

DEFAULT_DIR = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "docs", "mt5b",
                                            "schemas"))
DIRECTIONS = ("client", "bridge")


class SchemaSet:
    def __init__(self, directory=DEFAULT_DIR):
        self.directory = directory
        self.by_type = {}      # message type -> (direction, validator)
        store = {}
        schemas = {}
        names = sorted(n for n in os.listdir(directory) if n.endswith(".schema.json"))
        if "defs.schema.json" not in names:
            raise FileNotFoundError(f"{directory} has no defs.schema.json; give the docs/mt5b/schemas directory")
        for name in names:
            with open(os.path.join(directory, name), encoding="utf-8") as f:
                schema = json.load(f)
            Draft202012Validator.check_schema(schema)
            store[schema["$id"]] = schema
            schemas[name[:-len(".schema.json")]] = schema
        for type_name, schema in schemas.items():
            if type_name == "defs":
                continue
            direction = schema.get("x-direction")
            if direction not in DIRECTIONS:
                raise ValueError(f"{type_name}.schema.json: x-direction must be 'client' or 'bridge', not {direction!r}")
            resolver = RefResolver(base_uri=schema["$id"], referrer=schema, store=store)
            self.by_type[type_name] = (direction, Draft202012Validator(schema, resolver=resolver))

    def types(self, direction=None):
        return sorted(t for t, (d, _) in self.by_type.items() if direction is None or d == direction)

    def validate(self, msg, direction=None):
        """Problems with one decoded message (a list of strings, empty when valid).

        direction: "client" (client -> bridge), "bridge" (bridge -> client) or None (any).
        """
        if direction is not None and direction not in DIRECTIONS:
            raise ValueError(f"direction must be one of {DIRECTIONS}, not {direction!r}")
        if not isinstance(msg, dict):
            return [f"a message must be a JSON object, not {type(msg).__name__}"]
        type_name = msg.get("type")
        if not isinstance(type_name, str):
            return ["the envelope has no string 'type'"]
        entry = self.by_type.get(type_name)
        if entry is None:
            return [f"unknown message type {type_name!r}"]
        schema_direction, validator = entry
        if direction is not None and schema_direction != direction:
            return [f"type {type_name!r} is sent by the {schema_direction} side only, seen from the {direction} side"]
        problems = []
        for err in sorted(validator.iter_errors(msg), key=lambda e: list(e.absolute_path)):
            path = "/".join(str(p) for p in err.absolute_path) or "(message)"
            problems.append(f"{type_name}: {path}: {_best_message(err)}")
        return problems

    def validate_frame(self, text, direction=None):
        """Problems with one raw text frame (str or bytes); JSON errors included."""
        try:
            msg = json.loads(text)
        except (ValueError, UnicodeDecodeError) as e:
            return [f"not valid JSON: {e}"]
        return self.validate(msg, direction)


def _best_message(err):
    best = jsonschema.exceptions.best_match([err] + list(err.context or []))
    return best.message if best is not None else err.message
