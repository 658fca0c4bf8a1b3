# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.

# The customer's estimate page is a route of trytond's WSGI application,
# which registers it when the module is imported
from . import routes  # noqa: F401
