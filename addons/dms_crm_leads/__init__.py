# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.

# The call tracking endpoint and the campaign's tracking image are routes
# of trytond's WSGI application, which registers them when the module is
# imported
from . import call, campaign  # noqa: F401
