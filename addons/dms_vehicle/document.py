# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.model import Index, fields
from trytond.pool import PoolMeta

VEHICLE_DOCUMENT_TYPES = [
    ('certificate_of_conformity', "Certificate of Conformity"),
    ('certificate_of_destruction', "Certificate of Destruction"),
    ]


class Document(metaclass=PoolMeta):
    __name__ = 'dms.document'

    vehicle = fields.Many2One(
        'dms.vehicle', "Vehicle", ondelete='RESTRICT',
        help="The vehicle whose paper this is.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        selection = list(cls.type.selection)
        for item in VEHICLE_DOCUMENT_TYPES:
            if item not in selection:
                selection.insert(-1, item)
        cls.type.selection = selection
        t = cls.__table__()
        cls._sql_indexes.add(
            Index(t, (t.vehicle, Index.Range()),
                where=t.vehicle != None))  # noqa: E711

    def get_rec_name(self, name):
        rec_name = super().get_rec_name(name)
        if self.vehicle:
            rec_name += f' [{self.vehicle.vin}]'
        return rec_name

    @classmethod
    def search_rec_name(cls, name, clause):
        return super().search_rec_name(name, clause) + [
            ('vehicle.vin', *clause[1:]),
            ]
