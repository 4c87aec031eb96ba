"""Exercise 3: the hand-set ReLU network that computes XOR.

Exercise 2 showed that no line fits XOR. One hidden layer of two ReLU
units does, exactly, with weights you can set by hand (the talk's
example, from Goodfellow, Bengio and Courville, ch. 6.1):

    h_j = relu(W1[j][0] * x1 + W1[j][1] * x2 + b1[j])     j = 0, 1
    f   = W2[0] * h_0 + W2[1] * h_1 + b2

    relu(z) = max(0, z)

Fill in the four numbers below (W1 is 2 x 2, row j holding hidden unit
j's two weights) so that f is 0, 1, 1, 0 at (0,0), (0,1), (1,0), (1,1).
Whole numbers will do. The checker shows every hidden unit's values on the
four points, as the talk's table does.

Check your work:   micrograd-scratch learn check 3
"""

W1 = None  # write this: [[w, w], [w, w]], row j = hidden unit j's weights
b1 = None  # write this: [b, b], one bias per hidden unit
W2 = None  # write this: [v, v], the output's weights on the two hidden units
b2 = None  # write this: the output's bias, a number
