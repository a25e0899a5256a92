/* Test-only: prints the password of one generic credential in (Wine's)
 * Windows Credential Manager as UTF-8 — the tests' independent look at what
 * `xvb token set` stored, as secret-tool is on Linux.
 * Usage: credread.exe TARGET_NAME   (exit 2: no such credential) */
#include <windows.h>
#include <wincred.h>
#include <stdio.h>

int wmain(int argc, wchar_t **argv)
{
    PCREDENTIALW cred;
    if (argc != 2)
        return 64;
    if (!CredReadW(argv[1], CRED_TYPE_GENERIC, 0, &cred))
        return GetLastError() == ERROR_NOT_FOUND ? 2 : 1;
    int chars = (int)(cred->CredentialBlobSize / sizeof(wchar_t));
    char utf8[8192];
    int len = WideCharToMultiByte(CP_UTF8, 0, (LPCWSTR)cred->CredentialBlob, chars,
                                  utf8, sizeof utf8, NULL, NULL);
    fwrite(utf8, 1, (size_t)len, stdout);
    CredFree(cred);
    return 0;
}
