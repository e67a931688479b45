/* Decoding a band of rows of a JPEG with libjpeg-turbo's libjpeg API, so that two threads can
 * share a large photo (see turbo.rs). Errors never exit the process: they jump back here. */
#include <setjmp.h>
#include <stdio.h>
#include <jpeglib.h>

struct idc_err {
  struct jpeg_error_mgr pub;
  jmp_buf jump;
};

static void idc_error_exit(j_common_ptr c) {
  struct idc_err *e = (struct idc_err *)c->err;
  longjmp(e->jump, 1);
}

/* Warnings (premature end of data, corrupt entropy data) are counted, not printed. */
static void idc_emit_message(j_common_ptr c, int level) {
  if (level < 0) c->err->num_warnings++;
}

/* Decodes output rows [y0, y1) of the image scaled by num/8 into `out` (RGB, out_w * 3 bytes
 * per row). Returns 0 on success; 1 when the data is damaged or does not have the expected
 * size. */
int idc_decode_rows(const unsigned char *data, unsigned long len, int num, unsigned int y0,
                    unsigned int y1, unsigned char *out, unsigned int out_w) {
  struct jpeg_decompress_struct cinfo;
  struct idc_err err;
  volatile int created = 0;
  cinfo.err = jpeg_std_error(&err.pub);
  err.pub.error_exit = idc_error_exit;
  err.pub.emit_message = idc_emit_message;
  if (setjmp(err.jump)) {
    if (created) jpeg_destroy_decompress(&cinfo);
    return 1;
  }
  jpeg_create_decompress(&cinfo);
  created = 1;
  jpeg_mem_src(&cinfo, data, len);
  jpeg_read_header(&cinfo, TRUE);
  cinfo.scale_num = (unsigned int)num;
  cinfo.scale_denom = 8;
  cinfo.out_color_space = JCS_RGB;
  jpeg_start_decompress(&cinfo);
  if (cinfo.output_width != out_w || cinfo.output_components != 3 || y0 > y1 ||
      y1 > cinfo.output_height) {
    jpeg_destroy_decompress(&cinfo);
    return 1;
  }
  if (y0 > 0 && jpeg_skip_scanlines(&cinfo, y0) != y0) {
    jpeg_destroy_decompress(&cinfo);
    return 1;
  }
  while (cinfo.output_scanline < y1) {
    JSAMPROW row = out + (size_t)(cinfo.output_scanline - y0) * out_w * 3;
    if (jpeg_read_scanlines(&cinfo, &row, 1) != 1) break;
  }
  int bad = cinfo.output_scanline < y1 || err.pub.num_warnings > 0;
  jpeg_destroy_decompress(&cinfo);
  return bad;
}
