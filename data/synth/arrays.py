"""Names for the generator's per-account arrays (element i belongs to the chunk's account i).

`Population`, `SeatPlan`, `MonthState`, the contract book, the payment methods and the
simulation declare their arrays with these four aliases, so `numpy.typing.NDArray[...]` is
spelled once for the package.
"""

from __future__ import annotations

from typing import TypeAlias

import numpy as np
from numpy.typing import NDArray

Bools: TypeAlias = NDArray[np.bool_]
Ints: TypeAlias = NDArray[np.int64]
Floats: TypeAlias = NDArray[np.float64]
Dates: TypeAlias = NDArray[np.datetime64]
