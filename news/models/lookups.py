"""`in` lookups that leave out integers no column can hold.

Django drops an out-of-range integer from `exact`, `gt` and the like before
the query (it can match no row, or every row), but not from `in`: SQLite
refuses `id IN (99999999999999999999)` with OverflowError. So a hostile id in
any multiple-choice form field (the stock user and group admin's groups and
permissions too), an admin action's selection or a list filter was a server
error instead of "Select a valid choice" or an empty list. These lookups drop
such numbers the way Django's own integer lookups do, for every integer column
and every relation to one; registering them here, with the models, covers
every form and query of the project.
"""

import copy

from django.db.models import ForeignObject, IntegerField
from django.db.models.fields.related_lookups import RelatedIn
from django.db.models.lookups import In


class InRange:
    """Leave out of the right-hand side the integers outside the column's range."""

    def process_rhs(self, compiler, connection):
        if not self.rhs_is_direct_value():
            return super().process_rhs(compiler, connection)
        field = self.lhs.output_field
        # A relation's values are its target column's.
        field = getattr(field, "target_field", field)
        ranges = connection.ops.integer_field_ranges
        if field.get_internal_type() not in ranges:
            return super().process_rhs(compiler, connection)
        low, high = connection.ops.integer_field_range(field.get_internal_type())
        fitting = [
            value
            for value in self.rhs
            if not isinstance(value, int)
            or ((low is None or value >= low) and (high is None or value <= high))
        ]
        if len(fitting) == len(self.rhs):
            return super().process_rhs(compiler, connection)
        # An empty list makes In raise EmptyResultSet: no row, no query.
        narrowed = copy.copy(self)
        narrowed.rhs = fitting
        return super(InRange, narrowed).process_rhs(compiler, connection)


@IntegerField.register_lookup
class IntegerIn(InRange, In):
    pass


@ForeignObject.register_lookup
class RelatedIntegerIn(InRange, RelatedIn):
    pass
