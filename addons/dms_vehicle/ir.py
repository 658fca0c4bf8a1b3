# This file is part of the dealer DMS.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import io

from trytond.backend import MAX_QUERY_PARAMS
from trytond.model import fields
from trytond.pool import PoolMeta
from trytond.pyson import Eval
from trytond.tools import grouped_slice

try:
    from PIL import Image, ImageOps
except ImportError:
    Image = ImageOps = None

THUMBNAIL_SIZE = (480, 360)


def make_thumbnail(data, size=THUMBNAIL_SIZE):
    """Return a JPEG thumbnail of the image data, upright as its EXIF
    orientation says, or None when the data is not an image"""
    if not data or Image is None:
        return None
    try:
        with Image.open(io.BytesIO(data)) as image:
            image = ImageOps.exif_transpose(image)
            image.thumbnail(size)
            if image.mode not in {'RGB', 'L'}:
                image = image.convert('RGB')
            output = io.BytesIO()
            image.save(output, format='JPEG', quality=85)
            return output.getvalue()
    except Exception:
        return None


class Attachment(metaclass=PoolMeta):
    __name__ = 'ir.attachment'

    sequence = fields.Integer(
        "Sequence", help="The order of the photos of a vehicle.")
    cover = fields.Boolean(
        "Cover", help="The photo shown first; one per vehicle.")
    thumbnail = fields.Binary(
        "Thumbnail", readonly=True,
        states={
            'invisible': ~Eval('thumbnail'),
            },
        help="A small upright copy of an image, made when it is stored.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('sequence', 'ASC NULLS LAST'))

    @classmethod
    def default_cover(cls):
        return False

    @classmethod
    def on_modification(cls, mode, attachments, field_names=None):
        super().on_modification(mode, attachments, field_names=field_names)
        if mode == 'delete':
            return
        # A resource of a model that is not activated stays a string
        vehicle_photos = [a for a in attachments
            if getattr(a.resource, '__name__', None) == 'dms.vehicle']
        if not vehicle_photos:
            return
        if mode == 'create' or 'data' in field_names:
            cls._make_thumbnails(vehicle_photos)
        if mode == 'create' or 'cover' in field_names:
            cls._single_cover(vehicle_photos)

    @classmethod
    def _make_thumbnails(cls, attachments):
        to_write = []
        for attachment in attachments:
            if attachment.type != 'data':
                continue
            thumbnail = make_thumbnail(attachment.data)
            if thumbnail != attachment.thumbnail:
                to_write.extend(([attachment], {'thumbnail': thumbnail}))
        if to_write:
            cls.write(*to_write)

    @classmethod
    def _single_cover(cls, attachments):
        "Keep one cover per vehicle: the last one marked"
        covers = {str(a.resource): a for a in attachments if a.cover}
        if not covers:
            return
        for sub_covers in grouped_slice(
                list(covers.values()), MAX_QUERY_PARAMS):
            sub_covers = list(sub_covers)
            others = cls.search([
                    ('resource', 'in', [str(a.resource) for a in sub_covers]),
                    ('cover', '=', True),
                    ('id', 'not in', [a.id for a in sub_covers]),
                    ])
            if others:
                cls.write(others, {'cover': False})


class Cron(metaclass=PoolMeta):
    __name__ = 'ir.cron'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.method.selection.append(
            ('dms.vehicle|release_expired_holds',
                "Release Expired Vehicle Holds"))
