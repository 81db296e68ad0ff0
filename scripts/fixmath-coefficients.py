#!/usr/bin/env python3
"""
Minimax (Remez exchange) coefficients for src/mpc/protocols/fixmath/coefficients.ts.

Plain Python (no numpy), so it runs anywhere:  python3 scripts/fixmath-coefficients.py
It prints every constant the fixed-point functions use, with the minimax error it achieves;
paste the printed block into coefficients.ts when changing a fit.

Each fit minimises max over [lo, hi] of |weight(x) * (target(x) - p(x))| where p is a linear
combination of the given basis functions (monomials x^k).
"""

import math


def solve(matrix, rhs):
    """Gaussian elimination with partial pivoting (small dense systems)."""
    n = len(rhs)
    a = [row[:] + [rhs[i]] for i, row in enumerate(matrix)]
    for col in range(n):
        piv = max(range(col, n), key=lambda r: abs(a[r][col]))
        a[col], a[piv] = a[piv], a[col]
        for r in range(n):
            if r != col:
                factor = a[r][col] / a[col][col]
                for c in range(col, n + 1):
                    a[r][c] -= factor * a[col][c]
    return [a[i][n] / a[i][i] for i in range(n)]


def remez(target, weight, powers, lo, hi, grid=20001, iterations=60):
    m = len(powers)
    xs = [lo + (hi - lo) * i / (grid - 1) for i in range(grid)]
    # Start from Chebyshev extrema mapped to [lo, hi].
    ref = [(lo + hi) / 2 - (hi - lo) / 2 * math.cos(math.pi * i / m) for i in range(m + 1)]
    coeffs = [0.0] * m
    for _ in range(iterations):
        rows, rhs = [], []
        for i, x in enumerate(ref):
            rows.append([x ** k for k in powers] + [(-1) ** i / weight(x)])
            rhs.append(target(x))
        sol = solve(rows, rhs)
        coeffs = sol[:m]
        err = [weight(x) * (target(x) - sum(c * x ** k for c, k in zip(coeffs, powers))) for x in xs]
        # Local extrema of the weighted error, endpoints included.
        ext = [0] + [i for i in range(1, grid - 1) if (err[i] - err[i - 1]) * (err[i + 1] - err[i]) <= 0] + [grid - 1]
        # Keep one point per run of equal sign (the largest).
        alt = []
        for i in ext:
            if alt and (err[i] >= 0) == (err[alt[-1]] >= 0):
                if abs(err[i]) > abs(err[alt[-1]]):
                    alt[-1] = i
            else:
                alt.append(i)
        while len(alt) > m + 1:
            if abs(err[alt[0]]) < abs(err[alt[-1]]):
                alt.pop(0)
            else:
                alt.pop()
        if len(alt) < m + 1:
            break
        new_ref = [xs[i] for i in alt]
        if max(abs(a - b) for a, b in zip(new_ref, ref)) < 1e-12:
            break
        ref = new_ref
    worst = max(abs(weight(x) * (target(x) - sum(c * x ** k for c, k in zip(coeffs, powers)))) for x in xs)
    return coeffs, worst


def sigmoid(x):
    return 1.0 / (1.0 + math.exp(-x))


def show(name, coeffs, worst, note):
    print(f"// {name}: {note}; max error {worst:.3e} (2^{math.log2(worst):.2f})")
    print(f"export const {name} = [{', '.join(repr(c) for c in coeffs)}] as const;")


one = lambda x: 1.0

# Sigmoid pieces (absolute error). The centre piece is odd about 0: 1/2 + c1 x + c3 x^3.
c, e = remez(lambda x: sigmoid(x) - 0.5, one, [1, 3], 0.0, 1.0)
show("SIGMOID_CENTRE", [0.5, c[0], 0.0, c[1]], e, "sigmoid on [-1, 1], odd cubic, coefficients of x^0..x^3")
c, e = remez(sigmoid, one, [0, 1, 2, 3], 1.0, 4.0)
show("SIGMOID_MIDDLE", c, e, "sigmoid on [1, 4], cubic")
c, e = remez(sigmoid, one, [0, 1, 2, 3], 4.0, 8.0)
show("SIGMOID_OUTER", c, e, "sigmoid on [4, 8], cubic")
tail = (1 + sigmoid(8.0)) / 2
print(f"// sigmoid for x >= 8 (midpoint of [sigmoid(8), 1]); max error {1 - tail:.3e}")
print(f"export const SIGMOID_TAIL = {tail!r};")

# Reciprocal: initial 1/b on [1/2, 1], relative error |1 - b p(b)|.
c, e = remez(lambda b: 1 / b, lambda b: b, [0, 1, 2], 0.5, 1.0)
show("RECIPROCAL_INITIAL", c, e, "1/b on [1/2, 1], quadratic, relative error")

# Inverse square root: initial 1/sqrt(b) on [1/2, 1], relative error |1 - sqrt(b) p(b)|. On
# [1/4, 1/2] the same relative error is reached by sqrt(2) p(2b) (sqrt.ts selects by parity).
c, e = remez(lambda b: 1 / math.sqrt(b), lambda b: math.sqrt(b), [0, 1, 2, 3], 0.5, 1.0)
show("RSQRT_INITIAL", c, e, "1/sqrt(b) on [1/2, 1], cubic, relative error")

# 2^r on [0, 1], relative error, degrees 4 and 5.
for d in (4, 5):
    c, e = remez(lambda r: 2.0 ** r, lambda r: 2.0 ** -r, list(range(d + 1)), 0.0, 1.0)
    show(f"EXP2_DEGREE{d}", c, e, f"2^r on [0, 1], degree {d}, relative error")
