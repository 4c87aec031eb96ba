"""Learn by writing it: the talk's path as exercises, checked.

`micrograd-scratch learn start` writes a folder with one file per
exercise, in the talk's order, each with a docstring that says what to
write and the math behind it, and its body left for the learner:

     1 the perceptron            6 backward()
     2 least squares on XOR      7 a neuron, a layer, an MLP
     3 the hand-set ReLU network 8 mse and one gradient-descent step
     4 local derivatives         9 minibatch SGD with learning-rate decay
     5 the topological order    10 momentum (optional)

`check(n)` (or `micrograd-scratch learn check n`) runs the learner's
code and says, check by check, what was expected, what their code gave,
and which classic mistake it looks like. For the rule, order and backward
exercises it draws the graph it checked with the wrong node marked. A
learner's rules plug into the real engine (`my_rules`), so `draw`, the
stepper and training run on them.

The modules: exercises (the table of exercises), templates (the files a
learner starts from), runner (the checks of an exercise, run on the
learner's file in a process of its own, `child`, that is ended when its
time is up; their errors in one line), checks (one module per exercise), picture
(the marked graph), rules (a learner's rules in the engine), api (start,
check, hint, progress).

Sources: minitorch's task tests, nn-zero-to-hero's cmp(), TinyTorch's
module checks; the talk's order.
"""

from .api import NoFolder, check, check_all, hint, progress, start
from .exercises import DEFAULT_DIR, EXERCISES, Exercise, exercise
from .rules import my_rules, replaced_rules

__all__ = ["check", "check_all", "start", "hint", "progress", "my_rules", "replaced_rules",
           "EXERCISES", "Exercise", "exercise", "DEFAULT_DIR", "NoFolder"]
