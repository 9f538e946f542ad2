"""Spreadsheet cells that would be run as formulas when opened are neutralised (CSV injection)."""

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """Prefix text that starts like a formula with an apostrophe; leave numbers and None alone."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        # A negative number written as text stays a number for the reader.
        try:
            float(value)
            return value
        except ValueError:
            return "'" + value
    return value
