"""Lookups that leave out integers no column can hold.

Django answers an out-of-range integer in `exact`, `gt` and the like on an
integer column without asking the database, but not in `in`, nor on a
relation (`category=`, `user__exact=`, `post__lt=`): SQLite refuses
99999999999999999999 with OverflowError. So a hostile id in any
multiple-choice form field (the stock user and group admin's groups and
permissions too), an admin action's selection or a changelist's query string
was a server error instead of "Select a valid choice" or an empty list. These
lookups answer such numbers without the database too, for every integer column
and every relation to one; registering them here, with the models, covers
every form and query of the project.
"""

import copy

from django.core.exceptions import EmptyResultSet
from django.db.models import ForeignObject, IntegerField
from django.db.models.fields.related_lookups import (
    RelatedExact,
    RelatedGreaterThan,
    RelatedGreaterThanOrEqual,
    RelatedIn,
    RelatedLessThan,
    RelatedLessThanOrEqual,
)
from django.db.models.lookups import In


def integer_range(lookup, connection):
    """Return the (low, high) bounds of the lookup's column, or None when it
    holds no integers."""
    field = lookup.lhs.output_field
    # A relation's values are its target column's.
    field = getattr(field, "target_field", field)
    if field.get_internal_type() not in connection.ops.integer_field_ranges:
        return None
    return connection.ops.integer_field_range(field.get_internal_type())


def fits(value, bounds):
    low, high = bounds
    return (low is None or value >= low) and (high is None or value <= high)


class InRange:
    """Leave out of the right-hand side the integers outside the column's range."""

    def process_rhs(self, compiler, connection):
        bounds = integer_range(self, connection)
        if bounds is None or not self.rhs_is_direct_value():
            return super().process_rhs(compiler, connection)
        fitting = [v for v in self.rhs if not isinstance(v, int) or fits(v, bounds)]
        if len(fitting) == len(self.rhs):
            return super().process_rhs(compiler, connection)
        # An empty list makes In raise EmptyResultSet: no row, no query.
        narrowed = copy.copy(self)
        narrowed.rhs = fitting
        return super(InRange, narrowed).process_rhs(compiler, connection)


class RelatedOverflow:
    """Answer an integer outside the column's range without the database: no
    row equals it; every row but the NULLs is below a number above the range
    (so `< huge` is `<= the largest`), and above one below it."""

    def as_sql(self, compiler, connection):
        bounds = integer_range(self, connection)
        if bounds is None or not isinstance(self.rhs, int) or fits(self.rhs, bounds):
            return super().as_sql(compiler, connection)
        low, high = bounds
        above = high is not None and self.rhs > high
        if self.lookup_name == "exact" or above == (self.lookup_name in {"gt", "gte"}):
            raise EmptyResultSet
        clamped = copy.copy(self)
        clamped.rhs, clamped.lookup_name = (high, "lte") if above else (low, "gte")
        return super(RelatedOverflow, clamped).as_sql(compiler, connection)


@IntegerField.register_lookup
class IntegerIn(InRange, In):
    pass


@ForeignObject.register_lookup
class RelatedIntegerIn(InRange, RelatedIn):
    pass


@ForeignObject.register_lookup
class RelatedIntegerExact(RelatedOverflow, RelatedExact):
    pass


@ForeignObject.register_lookup
class RelatedIntegerGreaterThan(RelatedOverflow, RelatedGreaterThan):
    pass


@ForeignObject.register_lookup
class RelatedIntegerGreaterThanOrEqual(RelatedOverflow, RelatedGreaterThanOrEqual):
    pass


@ForeignObject.register_lookup
class RelatedIntegerLessThan(RelatedOverflow, RelatedLessThan):
    pass


@ForeignObject.register_lookup
class RelatedIntegerLessThanOrEqual(RelatedOverflow, RelatedLessThanOrEqual):
    pass
