// PNG encoding and image decoding through the stb single-header libraries.
#define STB_IMAGE_WRITE_IMPLEMENTATION
#define STB_IMAGE_IMPLEMENTATION
#define STBI_NO_HDR
#include <stb/stb_image.h>
#include <stb/stb_image_write.h>

#include "internal.h"

extern "C" {

int vt_png_write(const char* path, const uint8_t* pixels, int width, int height, int channels) {
  VT_TRY
  if (path == nullptr || pixels == nullptr) throw std::invalid_argument("path or pixel pointer is null");
  if (width <= 0 || height <= 0) throw std::invalid_argument("image size must be positive");
  if (channels != 1 && channels != 3 && channels != 4) throw std::invalid_argument("PNG needs 1, 3 or 4 channels");
  if (!stbi_write_png(path, width, height, channels, pixels, width * channels))
    throw std::runtime_error(std::string("cannot write PNG file '") + path + "'");
  return 0;
  VT_CATCH(-1)
}

vt_tensor vt_image_read(const char* path, int channels) {
  VT_TRY
  if (path == nullptr) throw std::invalid_argument("path is null");
  int w = 0, h = 0, c = 0;
  unsigned char* data = stbi_load(path, &w, &h, &c, channels);
  if (data == nullptr)
    throw std::runtime_error(std::string("cannot decode image '") + path + "': " + stbi_failure_reason());
  int outc = channels == 0 ? c : channels;
  auto t = at::empty({h, w, outc}, at::kByte);
  std::memcpy(t.data_ptr(), data, static_cast<size_t>(h) * w * outc);
  stbi_image_free(data);
  return vt::wrap(t);
  VT_CATCH(nullptr)
}

}  // extern "C"
