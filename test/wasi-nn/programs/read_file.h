/* A whole file read into memory (the model, from a directory the host preopens). */
#ifndef READ_FILE_H
#define READ_FILE_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static uint8_t *read_file(const char *path, uint32_t *size) {
  FILE *file = fopen(path, "rb");
  if (!file) return NULL;
  uint32_t capacity = 1 << 16, length = 0;
  uint8_t *bytes = malloc(capacity);
  size_t n;
  while (bytes && (n = fread(bytes + length, 1, capacity - length, file)) > 0) {
    length += (uint32_t)n;
    if (length == capacity) bytes = realloc(bytes, capacity *= 2);
  }
  fclose(file);
  *size = length;
  return bytes;
}

#endif
