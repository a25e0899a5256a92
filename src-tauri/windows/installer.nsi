; XVB Companion for Windows: a per-user installer (no administrator rights),
; built on Debian by `make windows` with NSIS's makensis (scripts/windows/build.sh).
;
; Installs xvb-companion.exe (the app, with Microsoft's WebView2Loader.dll) and
; xvb.exe (the command line, put on the user's PATH) into
; %LOCALAPPDATA%\Programs\xvb-companion, adds a Start-menu entry, registers the
; app for tel: and callto: links and its toasts (AppUserModelID), optionally
; starts it with Windows, and writes an uninstaller. Call history and settings
; (%APPDATA%) are the agent's and are left in place by the uninstaller.
;
; makensis -DVERSION=… -DBUILD_DIR=… -DICON=… -DOUTFILE=… installer.nsi

Unicode true
Target amd64-unicode
SetCompressor /SOLID lzma
RequestExecutionLevel user

!include MUI2.nsh
!include LogicLib.nsh
!include FileFunc.nsh
!include StrFunc.nsh
!include WinMessages.nsh
; StrFunc's functions are declared before use.
${StrStr}
${UnStrRep}

!define APP "XVB Companion"
!define EXE "xvb-companion.exe"
; The AppUserModelID toasts show under (tauri.conf.json's identifier, src-tauri/src/popups/toast.rs).
!define AUMID "com.xvb.companion"
!define APP_KEY "Software\XVB Companion"
!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\xvb-companion"
; The value the app's own "Start with Windows" switch reads and writes (tauri-plugin-autostart).
!define RUN_KEY "Software\Microsoft\Windows\CurrentVersion\Run"
!define WEBVIEW2_CLIENT "{F3017226-FE2A-4295-8BDF-00C3A9A7E4C5}"

Name "${APP}"
OutFile "${OUTFILE}"
InstallDir "$LOCALAPPDATA\Programs\xvb-companion"
InstallDirRegKey HKCU "${APP_KEY}" "InstallDir"
BrandingText "${APP} ${VERSION}"
VIProductVersion "${VERSION}.0"
VIAddVersionKey /LANG=0 "ProductName" "${APP}"
VIAddVersionKey /LANG=0 "FileDescription" "${APP} installer"
VIAddVersionKey /LANG=0 "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=0 "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=0 "LegalCopyright" "MIT licence"

!define MUI_ICON "${ICON}"
!define MUI_UNICON "${ICON}"
!define MUI_ABORTWARNING
!define MUI_FINISHPAGE_RUN "$INSTDIR\${EXE}"
!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_COMPONENTS
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "English"
!insertmacro MUI_LANGUAGE "Russian"

LangString SecAppName ${LANG_ENGLISH} "${APP} and the xvb command"
LangString SecAppName ${LANG_RUSSIAN} "${APP} и команда xvb"
LangString SecAutostartName ${LANG_ENGLISH} "Start with Windows (in the tray)"
LangString SecAutostartName ${LANG_RUSSIAN} "Запускать вместе с Windows (в трее)"
LangString WebView2Missing ${LANG_ENGLISH} "${APP} shows its window with Microsoft Edge WebView2, which this computer does not have.$\r$\n$\r$\nInstall the WebView2 Runtime (the Evergreen Bootstrapper) from https://go.microsoft.com/fwlink/p/?LinkId=2124703 or ask your IT department, then start ${APP} again.$\r$\n$\r$\nThe pops, the tray and the xvb command work without it."
LangString WebView2Missing ${LANG_RUSSIAN} "Окно ${APP} показывает Microsoft Edge WebView2, которого на этом компьютере нет.$\r$\n$\r$\nУстановите WebView2 Runtime (Evergreen Bootstrapper) с https://go.microsoft.com/fwlink/p/?LinkId=2124703 или попросите об этом ИТ-отдел, затем снова запустите ${APP}.$\r$\n$\r$\nВсплывающие уведомления, значок в трее и команда xvb работают и без него."

; A URL scheme handled by the app: the class key Windows looks up, and the
; capability "Default apps" offers when another program claims the scheme.
!macro UrlScheme SCHEME DESCRIPTION
  WriteRegStr HKCU "Software\Classes\${SCHEME}" "" "URL:${DESCRIPTION}"
  WriteRegStr HKCU "Software\Classes\${SCHEME}" "URL Protocol" ""
  WriteRegStr HKCU "Software\Classes\${SCHEME}\DefaultIcon" "" "$INSTDIR\${EXE},0"
  WriteRegStr HKCU "Software\Classes\${SCHEME}\shell\open\command" "" '"$INSTDIR\${EXE}" "%1"'
  WriteRegStr HKCU "Software\Classes\XVBCompanion.${SCHEME}" "" "${DESCRIPTION}"
  WriteRegStr HKCU "Software\Classes\XVBCompanion.${SCHEME}" "URL Protocol" ""
  WriteRegStr HKCU "Software\Classes\XVBCompanion.${SCHEME}\shell\open\command" "" '"$INSTDIR\${EXE}" "%1"'
  WriteRegStr HKCU "${APP_KEY}\Capabilities\URLAssociations" "${SCHEME}" "XVBCompanion.${SCHEME}"
!macroend

; Removes a scheme's class key only while it still opens this app.
!macro RemoveUrlScheme SCHEME
  ReadRegStr $0 HKCU "Software\Classes\${SCHEME}\shell\open\command" ""
  ${If} $0 == '"$INSTDIR\${EXE}" "%1"'
    DeleteRegKey HKCU "Software\Classes\${SCHEME}"
  ${EndIf}
  DeleteRegKey HKCU "Software\Classes\XVBCompanion.${SCHEME}"
!macroend

Section "!$(SecAppName)" SecApp
  SectionIn RO
  SetOutPath "$INSTDIR"
  File "${BUILD_DIR}\xvb-companion.exe"
  File "${BUILD_DIR}\xvb.exe"
  File "${BUILD_DIR}\WebView2Loader.dll"
  File "/oname=xvb-companion.ico" "${ICON}"
  WriteUninstaller "$INSTDIR\uninstall.exe"
  WriteRegStr HKCU "${APP_KEY}" "InstallDir" "$INSTDIR"

  CreateShortcut "$SMPROGRAMS\${APP}.lnk" "$INSTDIR\${EXE}" "" "$INSTDIR\xvb-companion.ico"

  ; `xvb` in a new terminal: the program folder on this user's PATH (once).
  ReadRegStr $0 HKCU "Environment" "Path"
  ${StrStr} $1 ";$0;" ";$INSTDIR;"
  ${If} $1 == ""
    ${If} $0 == ""
      WriteRegExpandStr HKCU "Environment" "Path" "$INSTDIR"
    ${Else}
      WriteRegExpandStr HKCU "Environment" "Path" "$0;$INSTDIR"
    ${EndIf}
    SendMessage ${HWND_BROADCAST} ${WM_SETTINGCHANGE} 0 "STR:Environment" /TIMEOUT=500
  ${EndIf}

  ; Toasts of a desktop app show under its AppUserModelID, with this name and icon.
  WriteRegStr HKCU "Software\Classes\AppUserModelId\${AUMID}" "DisplayName" "${APP}"
  WriteRegStr HKCU "Software\Classes\AppUserModelId\${AUMID}" "IconUri" "$INSTDIR\xvb-companion.ico"

  !insertmacro UrlScheme tel "Telephone call"
  !insertmacro UrlScheme callto "Telephone call"
  WriteRegStr HKCU "${APP_KEY}\Capabilities" "ApplicationName" "${APP}"
  WriteRegStr HKCU "${APP_KEY}\Capabilities" "ApplicationDescription" "Screen-pops, call history and click-to-call for the XVB cloud PBX"
  WriteRegStr HKCU "Software\RegisteredApplications" "${APP}" "${APP_KEY}\Capabilities"

  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayName" "${APP}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "Publisher" "${APP}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayIcon" "$INSTDIR\${EXE}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKCU "${UNINSTALL_KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoRepair" 1
  ${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "EstimatedSize" $0
SectionEnd

Section "$(SecAutostartName)" SecAutostart
  WriteRegStr HKCU "${RUN_KEY}" "${APP}" '"$INSTDIR\${EXE}" --minimized'
SectionEnd

; WebView2 Runtime: per-machine (either registry view) or per-user.
Function .onInstSuccess
  ReadRegStr $0 HKLM "SOFTWARE\WOW6432Node\Microsoft\EdgeUpdate\Clients\${WEBVIEW2_CLIENT}" "pv"
  ${If} $0 == ""
  ${OrIf} $0 == "0.0.0.0"
    SetRegView 64
    ReadRegStr $0 HKLM "SOFTWARE\Microsoft\EdgeUpdate\Clients\${WEBVIEW2_CLIENT}" "pv"
    SetRegView lastused
  ${EndIf}
  ${If} $0 == ""
  ${OrIf} $0 == "0.0.0.0"
    ReadRegStr $0 HKCU "Software\Microsoft\EdgeUpdate\Clients\${WEBVIEW2_CLIENT}" "pv"
  ${EndIf}
  ${If} $0 == ""
  ${OrIf} $0 == "0.0.0.0"
    ; Remembered for support: `reg query "HKCU\Software\XVB Companion" /v WebView2`.
    WriteRegStr HKCU "${APP_KEY}" "WebView2" "missing"
    MessageBox MB_OK|MB_ICONEXCLAMATION "$(WebView2Missing)" /SD IDOK
  ${Else}
    WriteRegStr HKCU "${APP_KEY}" "WebView2" "$0"
  ${EndIf}
FunctionEnd

Section "Uninstall"
  ; The app keeps running in the tray after its window closes: end it first.
  nsExec::Exec 'taskkill /IM ${EXE} /F'
  Delete "$INSTDIR\xvb-companion.exe"
  Delete "$INSTDIR\xvb.exe"
  Delete "$INSTDIR\WebView2Loader.dll"
  Delete "$INSTDIR\xvb-companion.ico"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  Delete "$SMPROGRAMS\${APP}.lnk"
  ; The program folder off this user's PATH, the rest of it as it was.
  ReadRegStr $0 HKCU "Environment" "Path"
  ${UnStrRep} $1 ";$0;" ";$INSTDIR;" ";"
  StrCpy $1 $1 "" 1
  StrCpy $1 $1 -1
  ${If} $1 != $0
    ${If} $1 == ""
      DeleteRegValue HKCU "Environment" "Path"
    ${Else}
      WriteRegExpandStr HKCU "Environment" "Path" "$1"
    ${EndIf}
    SendMessage ${HWND_BROADCAST} ${WM_SETTINGCHANGE} 0 "STR:Environment" /TIMEOUT=500
  ${EndIf}
  !insertmacro RemoveUrlScheme tel
  !insertmacro RemoveUrlScheme callto
  DeleteRegValue HKCU "Software\RegisteredApplications" "${APP}"
  DeleteRegValue HKCU "${RUN_KEY}" "${APP}"
  DeleteRegValue HKCU "Software\Microsoft\Windows\CurrentVersion\Explorer\StartupApproved\Run" "${APP}"
  DeleteRegKey HKCU "Software\Classes\AppUserModelId\${AUMID}"
  DeleteRegKey HKCU "${APP_KEY}"
  DeleteRegKey HKCU "${UNINSTALL_KEY}"
SectionEnd
