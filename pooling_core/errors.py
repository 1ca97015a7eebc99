"""The one exception type of pooling_core."""


class PoolingError(ValueError):
    """An invalid argument to a pooling function.

    The message names the parameter, the value it got and what would be valid, so that the app can
    show it to a user as it is.
    """
