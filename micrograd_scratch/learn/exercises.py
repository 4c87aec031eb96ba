"""The exercises: the talk's path, one file each, in the talk's order.

This table is the one place an exercise is described: its number, its
file (a template in `templates/`, copied into the learner's folder by
`learn start`), what the learner writes there, the tutorial section it
goes with, its hints, and the module in `checks/` that checks it. The
command line, `check()`, `learn list`, the folder's README and the tests
all read it from here.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Exercise", "EXERCISES", "exercise", "DEFAULT_DIR"]

DEFAULT_DIR = "micrograd-exercises"  # `learn start` with no folder writes ./micrograd-exercises


@dataclass(frozen=True)
class Exercise:
    number: int
    name: str  # the file's stem after "exNN_", and the check module's name
    title: str
    writes: tuple[str, ...]  # what the learner writes in the file
    tutorial: str  # the section of docs/tutorial.md it goes with
    hints: tuple[str, ...]  # from a nudge to the formula; never the code
    time_limit: float = 10.0  # seconds, per check: a learner's infinite loop is stopped
    optional: bool = False

    @property
    def file(self) -> str:
        return f"ex{self.number:02d}_{self.name}.py"

    @property
    def picture(self) -> str:
        """The picture a failed check writes beside the learner's file."""
        return f"ex{self.number:02d}_{self.name}.svg"


EXERCISES = (
    Exercise(
        1, "perceptron", "The perceptron and Rosenblatt's rule", ("predict", "update"),
        "1. The perceptron and its learning rule",
        ("predict is a weighted sum and a threshold: is the sum strictly above 0?",
         "update changes w and b only by the error d - f(x): it is 0 when the answer was right, "
         "+1 or -1 when it was wrong.",
         "w_i <- w_i + lr * (d - f(x)) * x_i for every i, and b <- b + lr * (d - f(x)); "
         "return new values rather than changing the list you were given."),
    ),
    Exercise(
        2, "least_squares", "Least squares on XOR, by gradient descent", ("predict", "gradients", "fit"),
        "3. Least squares on XOR: the convex solution f = 0.5",
        ("J is a mean of squares, so its derivative is a mean of 2 * (error) * (what the error "
         "depends on).",
         "error_i = f(x_i) - y_i; dJ/dw_j = (2/n) * sum_i error_i * x_ij and "
         "dJ/db = (2/n) * sum_i error_i.",
         "fit starts at w = 0, b = 0 and repeats w_j -= lr * dJ/dw_j, b -= lr * dJ/db: "
         "against the gradient, so minus."),
    ),
    Exercise(
        3, "hand_relu", "The hand-set ReLU network for XOR", ("W1", "b1", "W2", "b2"),
        "4. The hand-set ReLU network",
        ("Look at the sum of the two inputs at the four points: 0, 1, 1, 2. XOR is 1 exactly "
         "where that sum is 1, so both hidden units can read the same sum; what differs between "
         "them is where each one starts to be above 0.",
         "relu(z) is 0 wherever z <= 0: a unit's bias decides at which sum it switches on. Let one "
         "unit follow the sum everywhere, and the other switch on only at the point where the sum "
         "is largest.",
         "The output is a weighted sum of the two units plus b2. Write what it must be at the sums "
         "0, 1 and 2 (the values of XOR there) as three equations in W2[0], W2[1] and b2, with the "
         "units' values from your W1 and b1, and solve them."),
    ),
    Exercise(
        4, "local_grads", "Local derivatives, in the contract of ops.py",
        ("mul_grads", "pow_grads", "exp_grads", "log_grads", "tanh_grads", "sigmoid_grads",
         "relu_grads"),
        "14. Make it yours: your own op",
        ("Each rule returns a tuple with one derivative per input, and nothing else: the engine "
         "multiplies by the upstream gradient itself.",
         "exp, tanh and sigmoid have derivatives written most simply with their own output, "
         "`out`; log, relu and ** need the input.",
         "In words: a product's derivative in one input is the other input; a power's, in its "
         "base, brings the exponent down in front and lowers it by one, and in its exponent is "
         "the power itself times the natural log of the base; exp's derivative is exp itself; "
         "log's is one over its input; tanh's is one minus the square of tanh; sigmoid's is "
         "sigmoid times one minus sigmoid; relu's is a step, 1 where the input is above 0 and "
         "0 elsewhere (0 at the kink). Wherever the op's own value appears, use out."),
        time_limit=10.0,
    ),
    Exercise(
        5, "topo", "The topological order", ("topological_order",),
        "10. Back-propagation: operations, variables and placeholders",
        ("A node may be reached along several paths: remember which nodes you have already "
         "visited, and visit each once.",
         "Recursion stops at about 1000 levels; keep a stack of your own: push the root, and "
         "pop until the stack is empty.",
         "Each entry of your stack can carry a flag that says whether the node's inputs are "
         "done: on the first visit push the node back flagged, then its inputs; when a flagged "
         "node comes off the stack, append it to the order. Read the inputs from node._prev, "
         "a tuple in argument order, never through a set, whose order changes from run to run."),
    ),
    Exercise(
        6, "backward", "backward(): seed, reverse order, accumulate", ("backward",),
        "10. Back-propagation: operations, variables and placeholders",
        ("The gradient of the root with respect to itself is 1; every other gradient is built "
         "from the nodes that use it, so visit users before what they use.",
         "A node used twice receives two contributions, which add up; an input's share is the "
         "node's gradient times the local derivative.",
         "Walk the order reversed; into each input's gradient add the node's gradient times "
         "that input's local derivative. Before that, reset every op result's gradient to 0 "
         "(leaves keep theirs) and seed the root with 1."),
    ),
    Exercise(
        7, "neuron", "A neuron's forward pass, a layer and an MLP",
        ("Neuron", "Layer", "MLP"),
        "8. Computational graphs and forward propagation",
        ("A neuron is a weighted sum of its inputs, plus its bias, through its activation; "
         "build it from Values so that gradients reach w and b.",
         "A layer is a list of neurons that all read the same input; an MLP feeds each layer's "
         "output to the next.",
         "The hidden layers use relu; the last layer is linear (nonlin=False), so that the "
         "network's score can be negative."),
    ),
    Exercise(
        8, "mse_step", "The mean squared error and one gradient-descent step",
        ("mse", "zero_grad", "sgd_step", "train_step"),
        "6. Gradient descent (Cauchy, 1847)",
        ("mse is a mean: add up the squared errors and divide by how many there are.",
         "Leaves accumulate their gradients across backward() calls: reset them before each "
         "backward pass.",
         "train_step, in order: zero the gradients, the forward pass and its loss, the "
         "backward pass, then theta <- theta - lr * dL/dtheta for every parameter theta."),
    ),
    Exercise(
        9, "sgd", "Minibatch SGD with learning-rate decay",
        ("learning_rate", "batches", "train"),
        "7. Batch versus minibatch: what a step costs",
        ("The rate goes down in a straight line from lr0 to lr_end over tau steps, then stays "
         "at lr_end.",
         "batches: put the indices 0 to n - 1 in a list, shuffle that list with the rng you are "
         "given, then cut it into slices of batch_size (the last one may be smaller): every "
         "example once per epoch.",
         "The rate is a weighted mean of the two ends: ε_k = (1 − k/τ)·ε₀ + (k/τ)·ε_τ while "
         "k ≤ τ, then ε_τ. train counts its steps k from 0 across every epoch (one step per "
         "batch, the loss the batch's mean) and asks learning_rate for each step's rate; τ is "
         "the number of steps of the whole run."),
        time_limit=60.0,
    ),
    Exercise(
        10, "momentum", "Momentum (optional)", ("Momentum",),
        "6. Gradient descent (Cauchy, 1847)",
        ("Each parameter keeps a velocity between steps, starting at 0.",
         "The velocity is a decaying sum of past gradients: the old velocity times mu, plus "
         "the new gradient.",
         "v <- mu * v + g, then theta <- theta - lr * v (PyTorch's form)."),
        optional=True,
    ),
)


def exercise(number: int) -> Exercise:
    for ex in EXERCISES:
        if ex.number == number:
            return ex
    raise ValueError(f"there is no exercise {number}: the exercises are 1 to {len(EXERCISES)}")
