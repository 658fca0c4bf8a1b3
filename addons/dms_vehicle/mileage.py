# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.modules.dms_base.model import (
    FieldSizeMixin, ReadonlyFieldsMixin, RelationRulesMixin)
from trytond.pool import Pool

from .exceptions import MileageValidationError


class Mileage(
        ReadonlyFieldsMixin, FieldSizeMixin, RelationRulesMixin, ModelSQL,
        ModelView):
    __name__ = 'dms.vehicle.mileage'
    __string__ = "Vehicle Mileage"

    vehicle = fields.Many2One(
        'dms.vehicle', "Vehicle", required=True, ondelete='CASCADE')
    date = fields.Date("Date", required=True)
    reading = fields.Integer(
        "Reading (km)", required=True,
        domain=[('reading', '>=', 0)])
    source = fields.Selection([
            ('manual', "Manual"),
            ('intake', "Intake"),
            ('delivery', "Delivery"),
            ('workshop', "Workshop"),
            ('booking', "Booking"),
            ('inspection', "Inspection"),
            ('import', "Import"),
            ], "Source", required=True)
    correction = fields.Boolean(
        "Correction",
        help="The odometer was exchanged or reset: the reading may be lower "
        "than the previous one.")
    comment = fields.Char("Comment", size=200)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('vehicle')
        t = cls.__table__()
        cls._sql_indexes.add(
            Index(t, (t.vehicle, Index.Range()), (t.date, Index.Range())))
        cls._order = [('date', 'DESC'), ('id', 'DESC')]

    @classmethod
    def default_date(cls):
        return Pool().get('ir.date').today()

    @classmethod
    def default_source(cls):
        return 'manual'

    @classmethod
    def default_correction(cls):
        return False

    @classmethod
    def validate_fields(cls, mileages, field_names):
        super().validate_fields(mileages, field_names)
        cls.check_plausible(mileages, field_names)
        cls.check_sequence(mileages, field_names)

    @classmethod
    def check_plausible(cls, mileages, field_names=None):
        "Refuse readings dated after today or above the highest mileage"
        pool = Pool()
        Configuration = pool.get('dms.configuration')
        Date = pool.get('ir.date')
        Lang = pool.get('ir.lang')
        if field_names and not (field_names & {'reading', 'date'}):
            return
        lang = Lang.get()
        today = Date.today()
        highest = Configuration(1).mileage_max
        for mileage in mileages:
            if mileage.date > today:
                raise MileageValidationError(gettext(
                        'dms_vehicle.msg_mileage_future',
                        vehicle=mileage.vehicle.rec_name,
                        reading=lang.format_number(mileage.reading),
                        date=lang.strftime(mileage.date)))
            if highest and mileage.reading > highest:
                raise MileageValidationError(gettext(
                        'dms_vehicle.msg_mileage_max',
                        vehicle=mileage.vehicle.rec_name,
                        reading=lang.format_number(mileage.reading),
                        max=lang.format_number(highest)))

    @classmethod
    def check_sequence(cls, mileages, field_names=None):
        """Refuse a reading lower than the one before it, or higher than the
        one after it, unless that later one is a correction"""
        pool = Pool()
        Lang = pool.get('ir.lang')
        if field_names and not (
                field_names & {'reading', 'date', 'correction', 'vehicle'}):
            return
        lang = Lang.get()
        checked = {m.id for m in mileages}
        vehicles = {m.vehicle.id for m in mileages}
        readings = cls.search([
                ('vehicle', 'in', list(vehicles)),
                ], order=[('vehicle', 'ASC'), ('date', 'ASC'), ('id', 'ASC')])
        previous = None
        for reading in readings:
            if (previous and previous.vehicle == reading.vehicle
                    and not reading.correction
                    and reading.reading < previous.reading
                    and (reading.id in checked or previous.id in checked)):
                if reading.id in checked:
                    message = 'dms_vehicle.msg_mileage_lower'
                    this, other = reading, previous
                else:
                    message = 'dms_vehicle.msg_mileage_higher'
                    this, other = previous, reading
                raise MileageValidationError(gettext(
                        message,
                        vehicle=this.vehicle.rec_name,
                        reading=lang.format_number(this.reading),
                        date=lang.strftime(this.date),
                        other_reading=lang.format_number(other.reading),
                        other_date=lang.strftime(other.date)))
            previous = reading

    def get_rec_name(self, name):
        return f'{self.reading} km ({self.date})'
