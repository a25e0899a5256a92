/* Test-only: Rust 1.96's std imports ProcessPrng from bcryptprimitives.dll,
 * which Wine 8 lacks, so a Windows build of xvb would not start under Wine.
 * This DLL, placed beside the .exe under test, supplies ProcessPrng over
 * RtlGenRandom (advapi32's SystemFunction036). Windows 10/11 have the real
 * one: it is never installed or shipped. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
    while (length > 0) {
        ULONG chunk = length > 0x10000000 ? 0x10000000 : (ULONG)length;
        if (!SystemFunction036(data, chunk))
            return FALSE;
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}
