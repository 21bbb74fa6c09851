"""@versioned: version field and input, and its errors."""

from __future__ import annotations

from collections.abc import Callable


def test_version_field_and_inputs(compile_schema: Callable[..., dict[str, str]]) -> None:
    files = compile_schema('type Note @model @versioned(versionField: "rev", versionInput: "expectedRev") {\n'
                           "  id: ID!\n  content: String\n}\n")
    assert "rev: Int!" in files["schema.graphql"]
    assert "expectedRev: Int!" in files["schema.graphql"].split("input UpdateNoteInput")[1].split("}")[0]
    assert "#rev = :expectedRev" in files["resolvers/Mutation.updateNote.req.vtl"]
    assert '$ctx.args.input.put("rev", 1)' in files["resolvers/Mutation.createNote.req.vtl"]


def test_version_field_must_be_int(schema_error: Callable[..., str]) -> None:
    message = schema_error("type Note @model @versioned {\n  id: ID!\n  version: String\n}\n")
    assert message.startswith('Note.version: the @versioned versionField "version" must be of type Int.\n\n')
    assert ":3:3\n" in message


def test_needs_model(schema_error: Callable[..., str]) -> None:
    assert schema_error("type Note @versioned {\n  id: ID!\n}\n").startswith(
        "@versioned on Note needs @model on the same type.")
