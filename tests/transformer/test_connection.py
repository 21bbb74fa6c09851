"""@connection: both forms, and each of its errors."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

BLOG = ('type Blog @model {\n  id: ID!\n  posts: [Post] @connection(keyName: "byBlog", fields: ["id"])\n}\n'
        'type Post @model @key(name: "byBlog", fields: ["blogID"]) {\n  id: ID!\n  blogID: ID!\n'
        '  blog: Blog @connection(fields: ["blogID"])\n}\n')


def test_has_many_and_belongs_to(compile_schema: Callable[..., dict[str, str]]) -> None:
    files = compile_schema(BLOG)
    assert "posts(filter: ModelPostFilterInput, sortDirection: ModelSortDirection, limit: Int, nextToken: String): " \
           "ModelPostConnection" in files["schema.graphql"]
    assert '"index": "byBlog"' in files["resolvers/Blog.posts.req.vtl"]
    assert '"operation": "GetItem"' in files["resolvers/Post.blog.req.vtl"]
    assert "BlogpostsResolver" in json.loads(files["stacks/ConnectionStack.json"])["Resources"]


def test_legacy_has_many_adds_a_foreign_key(compile_schema: Callable[..., dict[str, str]]) -> None:
    files = compile_schema("type Post @model {\n  id: ID!\n  comments: [Comment] @connection\n}\n"
                           "type Comment @model {\n  id: ID!\n}\n")
    table = json.loads(files["stacks/Comment.json"])["Resources"]["CommentTable"]["Properties"]
    assert table["GlobalSecondaryIndexes"][0]["IndexName"] == "gsi-Post.comments"
    assert "postCommentsId: ID" in files["schema.graphql"]


def test_key_name_that_does_not_exist(schema_error: Callable[..., str]) -> None:
    message = schema_error(BLOG.replace('keyName: "byBlog"', 'keyName: "byBlg"'))
    assert message.startswith(
        "@connection on Blog.posts: keyName 'byBlg' does not exist on type Post (its named @key indexes: byBlog); "
        'add @key(name: "byBlg", fields: [...]) to Post.\n\namplify/backend/api/demo/schema.graphql:3:17\n')


def test_field_that_does_not_exist(schema_error: Callable[..., str]) -> None:
    assert schema_error(BLOG.replace('fields: ["blogID"])\n}', 'fields: ["blogId"])\n}')).startswith(
        "@connection on Post.blog: 'blogId' in 'fields' is not a field of Post.")


def test_field_of_the_wrong_type(schema_error: Callable[..., str]) -> None:
    sdl = BLOG.replace("  blogID: ID!\n  blog", "  blogID: ID!\n  ref: Int\n  blog").replace(
        'fields: ["blogID"])\n}', 'fields: ["ref"])\n}')
    assert schema_error(sdl).startswith("@connection on Post.blog: 'ref' is of type Int but the key it matches, "
                                        "Blog.id, is ID.")


def test_related_type_without_model(schema_error: Callable[..., str]) -> None:
    sdl = "type Post @model {\n  id: ID!\n  meta: Meta @connection\n}\ntype Meta {\n  id: ID!\n}\n"
    assert schema_error(sdl).startswith("@connection on Post.meta: the related type Meta must be annotated with "
                                        "@model.")


def test_many_to_many_needs_a_join_model(schema_error: Callable[..., str]) -> None:
    sdl = ('type A @model {\n  id: ID!\n  bs: [B] @connection(name: "AB")\n}\n'
           'type B @model {\n  id: ID!\n  as: [A] @connection(name: "AB")\n}\n')
    assert schema_error(sdl).startswith('@connection on A.bs: connection "AB" is a list on both sides; model '
                                        "many-to-many with a join @model and two one-to-many connections.")


def test_half_a_named_connection(schema_error: Callable[..., str]) -> None:
    sdl = 'type A @model {\n  id: ID!\n  b: B @connection(name: "AB")\n}\ntype B @model {\n  id: ID!\n}\n'
    assert schema_error(sdl).startswith('@connection on A.b: found one half of connection "AB" but no field on B '
                                        'with @connection(name: "AB").')


def test_single_connection_with_key_name(schema_error: Callable[..., str]) -> None:
    sdl = BLOG.replace('blog: Blog @connection(fields: ["blogID"])',
                       'blog: Blog @connection(keyName: "byX", fields: ["blogID"])').replace(
        "type Blog @model {", 'type Blog @model @key(name: "byX", fields: ["id"]) {')
    assert schema_error(sdl).startswith("@connection on Post.blog: a connection to a single Blog cannot use keyName "
                                        "'byX'; it must use Blog's primary key.")


def test_sort_field_missing_on_the_other_half(schema_error: Callable[..., str]) -> None:
    sdl = ('type Post @model {\n  id: ID!\n  comments: [Comment] @connection(name: "PC", sortField: "when")\n}\n'
           'type Comment @model {\n  id: ID!\n  post: Post @connection(name: "PC")\n}\n')
    assert schema_error(sdl).startswith('@connection on Comment.post: sortField "when" not found on type "Comment", '
                                        'other half of connection "PC".')


def test_sort_field_of_a_single_connection_needs_a_sorted_key(schema_error: Callable[..., str]) -> None:
    sdl = ('type Book @model {\n  id: ID!\n}\n'
           'type Copy @model {\n  id: ID!\n  n: Int\n  book: Book @connection(sortField: "n")\n}\n')
    assert schema_error(sdl).startswith('@connection on Copy.book: sortField "n" requires a primary @key on type '
                                        '"Book" with a sort key, and none was found.')


@pytest.mark.parametrize(("sdl", "message"), [
    (BLOG.replace('blog: Blog @connection(fields: ["blogID"])', "blog: Blog @connection(fields: [])"),
     "@connection on Post.blog: 'fields' is empty; name the Post field(s) that hold the Blog key."),
    (BLOG.replace("  blogID: ID!\n  blog", "  blogID: ID!\n  tags: [String]\n  blog").replace(
        '@connection(fields: ["blogID"])', '@connection(fields: ["tags"])'),
     "@connection on Post.blog: 'tags' must be a scalar or enum field (not a list or object) to be used in "
     "'fields'."),
    (BLOG.replace("  blogID: ID!\n  blog", "  blogID: ID!\n  x: String\n  y: String\n  blog").replace(
        '@connection(fields: ["blogID"])', '@connection(fields: ["blogID", "x", "y"])'),
     "@connection on Post.blog: 3 fields given but the Blog key has only 1 part(s)."),
    ('type A @model @key(fields: ["id", "b", "c"]) {\n  id: ID!\n  b: String!\n  c: String!\n}\n'
     'type R @model {\n  id: ID!\n  aId: ID!\n  x: String\n  a: A @connection(fields: ["aId", "x"])\n}\n',
     "@connection on R.a: 'fields' must match the whole sort key (b, c); a partial sort key is not accepted."),
    ('type A @model @key(fields: ["id", "n"]) {\n  id: ID!\n  n: Int!\n}\n'
     'type R @model {\n  id: ID!\n  aId: ID!\n  x: String\n  a: A @connection(fields: ["aId", "x"])\n}\n',
     "@connection on R.a: 'x' is of type String but A.n is Int."),
    ('type Post @model {\n  id: ID!\n  flag: Boolean\n  comments: [Comment] @connection(name: "PC")\n}\n'
     'type Comment @model {\n  id: ID!\n  post: Post @connection(name: "PC", sortField: "flag")\n}\n',
     '@connection on Post.comments: sortField "flag" is of type Boolean; it should be a scalar that maps to a '
     "DynamoDB String, Number or Binary."),
    ('type Post @model {\n  id: ID!\n  comments: [Comment] @connection(keyField: "n")\n}\n'
     "type Comment @model {\n  id: ID!\n  n: Int\n}\n",
     "@connection on Post.comments: keyField 'n' on Comment must be of type ID or String."),
    ('type Book @model @key(fields: ["id", "n"]) {\n  id: ID!\n  n: Int!\n}\n'
     'type Copy @model {\n  id: ID!\n  book: Book @connection(sortField: "zz")\n}\n',
     '@connection on Copy.book: sortField "zz" is not a field of Copy.'),
    ('type Book @model @key(fields: ["id", "n"]) {\n  id: ID!\n  n: Int!\n}\n'
     'type Copy @model {\n  id: ID!\n  s: String\n  book: Book @connection(sortField: "s")\n}\n',
     '@connection on Copy.book: sortField "n" on type "Book" does not match the type of field "s" on type "Copy".'),
    ("type Post {\n  id: ID!\n  b: Blog @connection\n}\ntype Blog @model {\n  id: ID!\n}\n",
     "@connection on Post.b: @connection must be on a field of an @model type."),
    ("type Post @model {\n  id: ID!\n  b: String @connection\n}\n",
     "@connection on Post.b: String is not an object type."),
])
def test_connection_argument_errors(schema_error: Callable[..., str], sdl: str, message: str) -> None:
    assert schema_error(sdl).split("\n", 1)[0] == message
