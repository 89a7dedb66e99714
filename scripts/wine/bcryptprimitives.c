/*
 * bcryptprimitives.dll for Debian 12's wine 8.0, which lacks it, for
 * scripts/test-windows only (never shipped: Windows 10 has its own).
 * Go 1.24 and later load ProcessPrng from it at start and stop without it;
 * this one is ProcessPrng as Windows documents it, over RtlGenRandom
 * (advapi32's SystemFunction036), which wine has.
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
	while (length > 0) {
		ULONG n = length > 0x10000000 ? 0x10000000 : (ULONG)length;
		if (!SystemFunction036(data, n))
			return FALSE;
		data += n;
		length -= n;
	}
	return TRUE;
}
