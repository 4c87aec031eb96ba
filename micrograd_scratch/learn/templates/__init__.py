"""The exercise files as a learner first gets them: `learn start` copies
these into the learner's folder. Each states what to write and the math
behind it, and leaves the body to the learner. (A package, so that the
files are installed with micrograd_scratch.)"""
