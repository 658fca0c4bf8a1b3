# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import io

from sql import Null
from sql.functions import Position, Substring

from trytond import backend
from trytond.i18n import gettext
from trytond.model import (
    Index, ModelSQL, ModelView, Unique, fields, sequence_ordered)
from trytond.modules.dms_base.model import (
    FieldSizeMixin, ReadonlyFieldsMixin, RelationRulesMixin)
from trytond.modules.product_image.product import (
    ImageCacheMixin, ImageMixin)
from trytond.pool import Pool
from trytond.transaction import Transaction

from .exceptions import PhotoValidationError

import PIL.Image
import PIL.ImageOps

# The size of the thumbnails of lists and of the vehicle's cover
THUMBNAIL_SIZE = (480, 360)


class Photo(
        ReadonlyFieldsMixin, FieldSizeMixin, RelationRulesMixin,
        ImageMixin, sequence_ordered(), ModelSQL, ModelView):
    __name__ = 'dms.vehicle.photo'
    __string__ = "Vehicle Photo"

    vehicle = fields.Many2One(
        'dms.vehicle', "Vehicle", required=True, ondelete='CASCADE')
    cover = fields.Boolean(
        "Cover", help="The photo shown first; one per vehicle.")
    thumbnail = fields.Function(
        fields.Binary("Thumbnail"), 'get_thumbnail')
    cache = fields.One2Many(
        'dms.vehicle.photo.cache', 'photo', "Cache", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('vehicle')
        cls.description.size = 200
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.vehicle, Index.Range())))

    @classmethod
    def __register__(cls, module):
        pool = Pool()
        Attachment = pool.get('ir.attachment')
        transaction = Transaction()
        cursor = transaction.connection.cursor()
        # Migration from photos kept as the vehicle's attachments
        migrate = (not backend.TableHandler.table_exist(cls._table)
            and Attachment.__table_handler__().column_exist('thumbnail'))

        super().__register__(module)

        if migrate:
            attachment = Attachment.__table__()
            resource = attachment.resource
            prefix = 'dms.vehicle,'
            cursor.execute(*attachment.select(
                    attachment.id,
                    Substring(resource, Position(',', resource) + 1),
                    attachment.sequence, attachment.cover,
                    attachment.description,
                    where=(Substring(resource, 1, len(prefix)) == prefix)
                    & (attachment.thumbnail != Null)))
            rows = cursor.fetchall()
            table = cls.__table__()
            for id_, vehicle, sequence, cover, description in rows:
                # The data may be in the file store
                data = Attachment(id_).data
                cursor.execute(*table.insert(
                        [table.vehicle, table.image, table.sequence,
                            table.cover, table.description],
                        [[int(vehicle), data, sequence, bool(cover),
                            description]]))
            if rows:
                cursor.execute(*attachment.delete(
                        where=attachment.id.in_([r[0] for r in rows])))

    @classmethod
    def default_cover(cls):
        return False

    @classmethod
    def preprocess_values(cls, mode, values):
        pool = Pool()
        Vehicle = pool.get('dms.vehicle')
        if values.get('image'):
            try:
                PIL.Image.open(io.BytesIO(values['image'])).verify()
            except Exception as exception:
                vehicle = (Vehicle(values['vehicle']).rec_name
                    if values.get('vehicle') else '')
                raise PhotoValidationError(gettext(
                        'dms_vehicle.msg_photo_not_image',
                        vehicle=vehicle)) from exception
        return super().preprocess_values(mode, values)

    @classmethod
    def convert(cls, image, **params):
        "Store the photo upright, as its EXIF orientation says"
        with PIL.Image.open(io.BytesIO(image)) as img:
            upright = PIL.ImageOps.exif_transpose(img)
            if upright is not img:
                data = io.BytesIO()
                upright.save(data, format='png')
                image = data.getvalue()
        return super().convert(image, **params)

    def get_thumbnail(self, name):
        return self.get(THUMBNAIL_SIZE)

    def _store_cache(self, size, image):
        cache = super()._store_cache(size, image)
        cache.photo = self
        return cache

    @classmethod
    def on_modification(cls, mode, photos, field_names=None):
        super().on_modification(mode, photos, field_names=field_names)
        if mode == 'create' or (mode == 'write' and 'cover' in field_names):
            cls._single_cover(photos)

    @classmethod
    def _single_cover(cls, photos):
        "Keep one cover per vehicle: the last one marked"
        covers = {p.vehicle.id: p for p in photos if p.cover}
        if not covers:
            return
        others = cls.search([
                ('vehicle', 'in', list(covers)),
                ('cover', '=', True),
                ('id', 'not in', [p.id for p in covers.values()]),
                ])
        if others:
            cls.write(others, {'cover': False})

    @classmethod
    def copy(cls, photos, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('cache', None)
        return super().copy(photos, default=default)


class PhotoCache(ImageCacheMixin, ModelSQL):
    __name__ = 'dms.vehicle.photo.cache'
    __string__ = "Vehicle Photo Cache"

    photo = fields.Many2One(
        'dms.vehicle.photo', "Photo", required=True, ondelete='CASCADE')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('photo')
        t = cls.__table__()
        cls._sql_constraints += [
            ('dimension_unique', Unique(t, t.photo, t.width, t.height),
                'dms_vehicle.msg_photo_cache_size_unique'),
            ]
