# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt

from trytond.model import ModelSingleton, ModelSQL, ModelView, Unique, fields


class Configuration(ModelSingleton, ModelSQL, ModelView):
    __name__ = 'dms.configuration'
    __string__ = "Dealer Management Configuration"

    reminder_offsets = fields.One2Many(
        'dms.configuration.reminder_offset', 'configuration',
        "Document Reminders",
        help="How many days before a customer document expires its holder "
        "is reminded; each reminder is sent once per expiry date.")
    message_max_attempts = fields.Integer(
        "Message Send Attempts", required=True,
        domain=[('message_max_attempts', '>=', 1)],
        help="How many times the outbox tries to send a customer message "
        "before leaving it failed for a user to retry.")
    message_retry_delay = fields.TimeDelta(
        "Message Retry Delay", required=True,
        domain=[('message_retry_delay', '>', dt.timedelta())],
        help="The wait after the first failed attempt; "
        "it doubles after each further failure.")

    @classmethod
    def default_message_max_attempts(cls):
        return 5

    @classmethod
    def default_message_retry_delay(cls):
        return dt.timedelta(minutes=10)

    def get_reminder_days(self):
        "Return the reminder offsets in days, largest first"
        return sorted({o.days for o in self.reminder_offsets}, reverse=True)

    def get_retry_delay(self, attempts):
        return self.message_retry_delay * 2 ** max(attempts - 1, 0)


class ConfigurationReminderOffset(ModelSQL, ModelView):
    __name__ = 'dms.configuration.reminder_offset'
    __string__ = "Document Reminder Offset"

    configuration = fields.Many2One(
        'dms.configuration', "Configuration",
        required=True, ondelete='CASCADE')
    days = fields.Integer(
        "Days Before Expiry", required=True,
        domain=[('days', '>=', 0)])

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('configuration')
        t = cls.__table__()
        cls._sql_constraints += [
            ('configuration_days_unique',
                Unique(t, t.configuration, t.days),
                'dms_base.msg_reminder_offset_unique'),
            ]
        cls._order.insert(0, ('days', 'DESC'))

    @classmethod
    def default_configuration(cls):
        return 1
