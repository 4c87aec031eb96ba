"""Expressions the parser refuses, each with a few words its one-line
message must contain: the list that `draw` on the command line
(tests/test_cli_draw.py) is checked against, and that any other front end
taking an expression from a user (the explorer's API) can be checked
against too, so that every front end refuses the same things in the same words.

Not a test module itself (its name does not start with test_): pytest puts
tests/ on sys.path, so a test imports it as `from refused_expressions import REFUSED`.
"""

REFUSED = [
    ("__import__('os').system('touch pwned')", "attribute access"),
    ("__import__('os')", "calling __import__()"),
    ("open('x')", "calling open()"),
    ("a.b", "attribute access"),
    ("x[0]", "subscripts"),
    ("lambda: 1", "lambda"),
    ("[x for x in y]", "comprehensions"),
    ("'s'", "strings"),
    ("x if y else z", "conditional expressions"),
    ("__class__", "names starting with __"),
    ("x // 2", "the operator //"),
    ("relu(x, y)", "takes exactly one argument"),
    ("x +", "not a valid expression"),
    ("(" * 10000, "10000 characters long"),
    ("(" + "-" * 300 + "x)", "levels deep"),
    ("x**1000", "exponent 1000 is too large"),
    ("", "empty"),
]
