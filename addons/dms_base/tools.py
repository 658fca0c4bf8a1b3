# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.


def search_any(clause, names):
    "Return a domain where any of names matches, or none if clause negates"
    _, operator, value, *extra = clause
    if operator.startswith('!') or operator.startswith('not '):
        bool_op = 'AND'
    else:
        bool_op = 'OR'
    return [bool_op, *((name, operator, value, *extra) for name in names)]
