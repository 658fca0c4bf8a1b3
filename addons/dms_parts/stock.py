# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.model import fields
from trytond.pool import Pool, PoolMeta


class Move(metaclass=PoolMeta):
    __name__ = 'stock.move'

    part_bin = fields.Function(fields.Char("Bin",
            help="Where the part is kept in the warehouse it is picked "
            "from or put away to."),
        'get_part_bin')

    def _part_bin_warehouse(self):
        for location in [self.from_location, self.to_location]:
            if location and location.type == 'storage' and (
                    location.warehouse):
                return location.warehouse

    @classmethod
    def get_part_bin(cls, moves, name):
        pool = Pool()
        Bin = pool.get('dms.part.bin')
        pairs = {}
        for move in moves:
            warehouse = move._part_bin_warehouse()
            if move.product and move.product.template.part and warehouse:
                pairs[move.id] = (move.product.template.id, warehouse.id)
        codes = Bin.bin_codes(set(pairs.values())) if pairs else {}
        return {m.id: codes.get(pairs.get(m.id)) for m in moves}
