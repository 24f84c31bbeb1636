/* CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of the
 * index file's sections. Init 0xFFFFFFFF, final xor 0xFFFFFFFF, so that
 * le_crc32c("123456789") = 0xE3069283 (the standard check value). The
 * SSE4.2 crc32 instruction is used when the CPU has it; a table-driven
 * twin gives the same values everywhere. */
#ifndef LE_BASE_CHECKSUM_H
#define LE_BASE_CHECKSUM_H

#include <stddef.h>
#include <stdint.h>

/* The CRC of data[0..len). */
uint32_t le_crc32c(const void *data, size_t len);

/* Running form: crc = le_crc32c_update(0, a, n); crc = le_crc32c_update(crc, b, m);
 * equals le_crc32c of a followed by b. */
uint32_t le_crc32c_update(uint32_t crc, const void *data, size_t len);

/* The portable path alone (for tests). */
uint32_t le_crc32c_update_portable(uint32_t crc, const void *data, size_t len);

#endif
