/* The EXIF Orientation tag, through libexif. */
#include <libexif/exif-data.h>

#include "image_internal.h"

unsigned shn__image_exif_orientation(const uint8_t *data, size_t len)
{
    ExifData *ed;
    ExifEntry *e;
    unsigned orientation = 1;

    if (!data || len < 8 || len > 65536)
        return 1;
    ed = exif_data_new();
    if (!ed)
        return 1;
    /* Read only: no "fixing" of the data to the specification. */
    exif_data_unset_option(ed, EXIF_DATA_OPTION_FOLLOW_SPECIFICATION);
    exif_data_load_data(ed, data, (unsigned int)len);
    e = exif_content_get_entry(ed->ifd[EXIF_IFD_0], EXIF_TAG_ORIENTATION);
    if (e && e->format == EXIF_FORMAT_SHORT && e->components >= 1 && e->data && e->size >= 2) {
        unsigned v = exif_get_short(e->data, exif_data_get_byte_order(ed));
        if (v >= 1 && v <= 8)
            orientation = v;
    }
    exif_data_unref(ed);
    return orientation;
}
