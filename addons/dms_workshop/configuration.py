# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.model import fields
from trytond.pool import PoolMeta


class Configuration(metaclass=PoolMeta):
    __name__ = 'dms.configuration'

    estimate_link_days = fields.Integer(
        "Estimate Link Validity (days)", required=True,
        domain=[('estimate_link_days', '>', 0)],
        help="How long the link of an estimate lets the customer approve "
        "or reject it.")

    @classmethod
    def default_estimate_link_days(cls):
        return 7
