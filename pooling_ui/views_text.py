"""User-facing text shared by the views (pages, animation, output, gradients, compare, badge).

Every sentence a user reads in the views lives in a ``STRINGS`` dict — this one for text several
views share, and one per view module for its own — so that a second language (中文) can be added by
swapping dicts, without hunting strings through the code.
"""

from __future__ import annotations

STRINGS = {
    "app_title": "Pooling Lab",
    "page_explorer": "Explorer",
    "page_gradients": "Gradients",
    "page_compare": "Compare",
    "no_input": "Choose an input in the sidebar (a preset, a drawing, a typed grid or an upload).",
    "no_params": (
        "The parameters in the sidebar do not make a valid pooling; the message there says why "
        "and what would work. The input is shown below unpooled."
    ),
    "engine_error": "This view cannot be computed with the current settings: {message}",
    "internal_error": (
        "Something went wrong while drawing this view ({error}). The rest of the page still works; "
        "changing a parameter or the input usually gets past it."
    ),
    "channel": "Channel",
    "channel_help": "Each channel is pooled separately with the same windows; depth is preserved.",
    "kind_name": {
        "max": "max",
        "avg": "average",
        "min": "min",
        "lp": "power-average (Lp)",
        "weighted": "weighted average",
        "stochastic": "stochastic",
        "mixed": "mixed max/average",
        "softpool": "SoftPool",
        "median": "median",
    },
    # How each kind routes the gradient, shown beside every gradient picture.
    "gradient_rule": {
        "max": (
            "**max** sends each output's gradient to the one input cell that won its window "
            "(the first of equal maxima). A cell that wins several overlapping windows collects "
            "all their gradients — the numbers show how many windows chose it."
        ),
        "min": (
            "**min** works like max with the smallest value: each output's gradient goes to the "
            "cell that was the minimum of its window; overlapping windows add up."
        ),
        "avg": (
            "**average** spreads each output's gradient evenly: every input cell of the window "
            "gets gradient ÷ divisor (the number of cells the average divided by). Padding cells "
            "take their share but have nowhere to pass it."
        ),
        "lp": (
            "**Lp** (power average, y = (Σ xᵖ)^(1/p)) gives each cell a share that grows with its "
            "value: ∂y/∂xₜ = xₜ^(p−1) · y^(1−p). Large p behaves like max, p = 1 like a sum."
        ),
        "weighted": (
            "**weighted average** passes gradient × weight to each cell, so the centre of the "
            "window (largest Gaussian weight) receives the most."
        ),
        "stochastic": (
            "**stochastic** (training) picks one cell per window at random, with probability "
            "proportional to its value, and routes the whole gradient there, like max. In "
            "evaluation mode it is a value-weighted average and every cell gets a share."
        ),
        "mixed": (
            "**mixed** is α·max + (1−α)·average, so the gradient is the same mix: α of it goes to "
            "the winning cell, (1−α) is spread evenly over the window."
        ),
        "softpool": (
            "**SoftPool** weights every cell by its softmax share; the gradient of cell t is "
            "g · sₜ · (1 + xₜ − y): large values get most of it, but nobody gets exactly zero."
        ),
        "median": (
            "**median** routes each output's gradient to the cell that was the (lower) median of "
            "its window; the other cells get nothing."
        ),
    },
}
