#!/usr/bin/env python3
"""Validates a2m motion JSON files against docs/a2m-motion.schema.json (needs `pip install jsonschema`).
Not part of the Swift test run. Usage: python3 validate_schema.py FILE.json...   (exit 1 on any failure)"""
import json
import os
import sys

import jsonschema

SCHEMA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "..", "docs", "a2m-motion.schema.json")


def main():
    schema = json.load(open(SCHEMA))
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    failed = False
    for path in sys.argv[1:]:
        errors = sorted(validator.iter_errors(json.load(open(path))), key=lambda e: list(e.path))
        for e in errors[:5]:
            print(f"{path}: {'/'.join(map(str, e.path))}: {e.message[:200]}")
        print(f"{path}: {'valid' if not errors else f'{len(errors)} errors'}")
        failed |= bool(errors)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
