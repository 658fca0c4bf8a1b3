# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import io

from trytond.i18n import gettext
from trytond.model import (
    Index, ModelSQL, ModelView, Unique, fields, sequence_ordered)
from trytond.modules.dms_base.model import (
    FieldSizeMixin, ReadonlyFieldsMixin, RelationRulesMixin)
from trytond.modules.dms_base.tools import search_any
from trytond.modules.product_image.product import (
    ImageCacheMixin, ImageMixin)
from trytond.pool import Pool

from .exceptions import PhotoValidationError

import PIL.Image
import PIL.ImageOps

# The size of the thumbnails of lists and of the customer's page
THUMBNAIL_SIZE = (480, 360)


class Photo(
        ReadonlyFieldsMixin, FieldSizeMixin, RelationRulesMixin,
        ImageMixin, sequence_ordered(), ModelSQL, ModelView):
    __name__ = 'dms.workshop.order.photo'
    __string__ = "Repair Order Photo"

    order = fields.Many2One(
        'dms.workshop.order', "Order", required=True, ondelete='CASCADE')
    caption = fields.Char("Caption", size=200)
    stage = fields.Selection([
            ('check_in', "Check-In"),
            ('work', "Work"),
            ('quality', "Quality Check"),
            ], "Stage", required=True, sort=False)
    stage_string = stage.translated('stage')
    shared = fields.Boolean(
        "Show to the customer",
        help="The photo is shown on the page where the customer approves "
        "the estimate.")
    thumbnail = fields.Function(
        fields.Binary("Thumbnail"), 'get_thumbnail')
    cache = fields.One2Many(
        'dms.workshop.order.photo.cache', 'photo', "Cache", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('order')
        cls.description.size = 200
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.order, Index.Range())))

    @classmethod
    def default_stage(cls):
        return 'check_in'

    @classmethod
    def default_shared(cls):
        return False

    def get_rec_name(self, name):
        label = self.caption or self.stage_string
        return f'{self.order.rec_name} / {label}'

    @classmethod
    def search_rec_name(cls, name, clause):
        return search_any(clause, [
                'order.rec_name',
                'caption',
                ])

    @classmethod
    def preprocess_values(cls, mode, values):
        pool = Pool()
        Order = pool.get('dms.workshop.order')
        if values.get('image'):
            try:
                PIL.Image.open(io.BytesIO(values['image'])).verify()
            except Exception as exception:
                order = (Order(values['order']).rec_name
                    if values.get('order') else '')
                raise PhotoValidationError(gettext(
                        'dms_workshop.msg_order_photo_not_image',
                        order=order)) from exception
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
    def copy(cls, photos, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('cache', None)
        return super().copy(photos, default=default)


class PhotoCache(ImageCacheMixin, ModelSQL):
    __name__ = 'dms.workshop.order.photo.cache'
    __string__ = "Repair Order Photo Cache"

    photo = fields.Many2One(
        'dms.workshop.order.photo', "Photo", required=True,
        ondelete='CASCADE')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('photo')
        t = cls.__table__()
        cls._sql_constraints += [
            ('dimension_unique', Unique(t, t.photo, t.width, t.height),
                'dms_workshop.msg_order_photo_cache_size_unique'),
            ]
