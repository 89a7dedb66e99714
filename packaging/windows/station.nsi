; The fieldsync station's Windows installer, built on Linux with Debian's nsis:
;   make installer   (makensis -DVERSION=... -DSTATION_EXE=... -DOUTFILE=... station.nsi)
;
; It puts station.exe in $PROGRAMFILES64\fieldsync, makes the data folder
; C:\ProgramData\fieldsync\station readable by SYSTEM (the service's account,
; LocalSystem) and Administrators only, sets the station up there (enrolled
; with the county hub's enrollment file, or standalone with a name), installs
; and starts the Windows service fieldsync-station, and links the station's
; page (http://127.0.0.1:8080/) in the Start menu and on the desktop.
; An upgrade (the data folder already set up) replaces the program only.
; The uninstaller removes the service and the program and keeps the data.
;
; Silent: setup.exe /S /ENROLL=C:\path\enrollment.txt   (or /S /NAME=站名)
;         [/ADDR=127.0.0.1:PORT when 8080 is taken]
; Windows 10 / Windows Server 2016 or later, 64-bit (Go 1.26's minimum).

Unicode true
; A 64-bit installer: the station is 64-bit only, and it runs under a
; wine64 without 32-bit support too.
Target amd64-unicode
ManifestSupportedOS Win10
RequestExecutionLevel admin

!ifndef VERSION
  !define VERSION "dev"
!endif
!ifndef STATION_EXE
  !define STATION_EXE "../../bin/windows/station.exe"
!endif
!ifndef OUTFILE
  !define OUTFILE "../../dist/fieldsync-station-${VERSION}-setup.exe"
!endif

; station.DefaultAddr: the address the service listens on unless /ADDR= says
; another (loopback: no login on this PC).
!define DEFAULT_ADDR "127.0.0.1:8080"
!define SERVICE "fieldsync-station"
!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\fieldsync-station"

!include "MUI2.nsh"
!include "LogicLib.nsh"
!include "FileFunc.nsh"
!include "WinVer.nsh"
!include "x64.nsh"
!include "nsDialogs.nsh"

Name "fieldsync 就业服务站 ${VERSION}"
OutFile "${OUTFILE}"
InstallDir "$PROGRAMFILES64\fieldsync"
SetCompressor /SOLID lzma
ShowInstDetails show
ShowUninstDetails show

Var DataDir
Var Addr
Var EnrollFile
Var StationName
Var EnrollField
Var NameField

!define MUI_ABORTWARNING
!define MUI_WELCOMEPAGE_TEXT "$(WelcomeText)"
!insertmacro MUI_PAGE_WELCOME
Page custom StationPage StationPageLeave
!insertmacro MUI_PAGE_INSTFILES
!define MUI_FINISHPAGE_RUN
!define MUI_FINISHPAGE_RUN_TEXT "$(OpenStation)"
!define MUI_FINISHPAGE_RUN_FUNCTION OpenStation
!insertmacro MUI_PAGE_FINISH

!define MUI_UNCONFIRMPAGE_TEXT_TOP "$(UninstallKeepsData)"
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES

!insertmacro MUI_LANGUAGE "SimpChinese"
!insertmacro MUI_LANGUAGE "English"

LangString WelcomeText ${LANG_SIMPCHINESE} "本程序安装 fieldsync 村就业服务站 ${VERSION}：程序装在 $PROGRAMFILES64\fieldsync，数据放在 C:\ProgramData\fieldsync\station（仅系统和管理员可读写），并作为 Windows 服务“fieldsync 就业服务站”随开机运行。$\r$\n$\r$\n需要 64 位 Windows 10 或 Windows Server 2016 及以上版本。$\r$\n$\r$\n请准备好县平台发给本站的登记文件；没有县平台时可先按独立站安装。"
LangString WelcomeText ${LANG_ENGLISH} "This installs the fieldsync village employment station ${VERSION}: the program in $PROGRAMFILES64\fieldsync, the data in C:\ProgramData\fieldsync\station (SYSTEM and Administrators only), run as the Windows service $\"fieldsync 就业服务站$\" at every start.$\r$\n$\r$\nNeeds 64-bit Windows 10 or Windows Server 2016 or later.$\r$\n$\r$\nHave the enrollment file the county hub issued for this station ready; without a hub, install a standalone station."
LangString NeedsWin10 ${LANG_SIMPCHINESE} "本程序需要 64 位 Windows 10 或 Windows Server 2016 及以上版本。"
LangString NeedsWin10 ${LANG_ENGLISH} "This program needs 64-bit Windows 10 or Windows Server 2016 or later."
LangString PageTitle ${LANG_SIMPCHINESE} "设置服务站"
LangString PageTitle ${LANG_ENGLISH} "Set up the station"
LangString PageSubtitle ${LANG_SIMPCHINESE} "县平台的登记文件，或独立站的名称"
LangString PageSubtitle ${LANG_ENGLISH} "The county hub's enrollment file, or a standalone station's name"
LangString EnrollLabel ${LANG_SIMPCHINESE} "登记文件（县平台发给本站，含同步密钥，请妥善保管）："
LangString EnrollLabel ${LANG_ENGLISH} "Enrollment file (issued by the county hub; it holds the sync secret):"
LangString Browse ${LANG_SIMPCHINESE} "浏览…"
LangString Browse ${LANG_ENGLISH} "Browse…"
LangString NameLabel ${LANG_SIMPCHINESE} "或者，没有县平台时：独立站名称（如 红旗嘎查）："
LangString NameLabel ${LANG_ENGLISH} "Or, without a county hub: the standalone station's name:"
LangString NeedOne ${LANG_SIMPCHINESE} "请选择登记文件，或填写独立站名称。"
LangString NeedOne ${LANG_ENGLISH} "Choose the enrollment file, or type a standalone station's name."
LangString NoSuchFile ${LANG_SIMPCHINESE} "找不到登记文件："
LangString NoSuchFile ${LANG_ENGLISH} "The enrollment file is not there:"
LangString AclFailed ${LANG_SIMPCHINESE} "无法设置数据目录的访问权限（icacls）："
LangString AclFailed ${LANG_ENGLISH} "Could not set the data folder's access rights (icacls):"
LangString InitFailed ${LANG_SIMPCHINESE} "设置服务站失败（station init）："
LangString InitFailed ${LANG_ENGLISH} "Setting up the station failed (station init):"
LangString ServiceFailed ${LANG_SIMPCHINESE} "安装或启动 Windows 服务失败："
LangString ServiceFailed ${LANG_ENGLISH} "Installing or starting the Windows service failed:"
LangString Upgrade ${LANG_SIMPCHINESE} "数据目录已设置，仅更新程序。"
LangString Upgrade ${LANG_ENGLISH} "The data folder is set up already: updating the program only."
LangString OpenStation ${LANG_SIMPCHINESE} "打开服务站页面"
LangString OpenStation ${LANG_ENGLISH} "Open the station's page"
LangString LinkName ${LANG_SIMPCHINESE} "就业服务站"
LangString LinkName ${LANG_ENGLISH} "Employment station"
LangString UninstallKeepsData ${LANG_SIMPCHINESE} "将停止并删除 Windows 服务和程序。数据目录 C:\ProgramData\fieldsync\station（人员登记、备份、证书）保留不删；重新安装后继续使用。如确需删除，请先备份后手动删除该目录。"
LangString UninstallKeepsData ${LANG_ENGLISH} "The Windows service and the program are stopped and removed. The data folder C:\ProgramData\fieldsync\station (the registrations, certificate, keys) is KEPT; a new install uses it again. To delete it, back it up first and remove it by hand."

Function .onInit
  ${IfNot} ${RunningX64}
  ${OrIfNot} ${AtLeastWin10}
    MessageBox MB_ICONSTOP "$(NeedsWin10)" /SD IDOK
    SetErrorLevel 3
    Abort
  ${EndIf}
  SetRegView 64
  SetShellVarContext all
  StrCpy $DataDir "$APPDATA\fieldsync\station" ; all users: C:\ProgramData
  ${GetParameters} $R0
  ClearErrors
  ${GetOptions} $R0 "/ENROLL=" $EnrollFile
  ${If} ${Errors}
    StrCpy $EnrollFile ""
  ${EndIf}
  ClearErrors
  ${GetOptions} $R0 "/NAME=" $StationName
  ${If} ${Errors}
    StrCpy $StationName ""
  ${EndIf}
  ClearErrors
  ${GetOptions} $R0 "/ADDR=" $Addr
  ${If} ${Errors}
  ${OrIf} $Addr == ""
    StrCpy $Addr "${DEFAULT_ADDR}"
  ${EndIf}
FunctionEnd

Function StationPage
  ${If} ${FileExists} "$DataDir\station.json"
    Abort ; an upgrade: nothing to ask
  ${EndIf}
  !insertmacro MUI_HEADER_TEXT "$(PageTitle)" "$(PageSubtitle)"
  nsDialogs::Create 1018
  Pop $0
  ${NSD_CreateLabel} 0 0 100% 12u "$(EnrollLabel)"
  Pop $0
  ${NSD_CreateFileRequest} 0 14u 78% 13u "$EnrollFile"
  Pop $EnrollField
  ${NSD_CreateBrowseButton} 80% 14u 20% 13u "$(Browse)"
  Pop $0
  ${NSD_OnClick} $0 BrowseEnrollFile
  ${NSD_CreateLabel} 0 40u 100% 12u "$(NameLabel)"
  Pop $0
  ${NSD_CreateText} 0 54u 100% 13u "$StationName"
  Pop $NameField
  nsDialogs::Show
FunctionEnd

Function BrowseEnrollFile
  nsDialogs::SelectFileDialog open "$EnrollFile" "*.*|*.*"
  Pop $0
  ${If} $0 != ""
    ${NSD_SetText} $EnrollField $0
  ${EndIf}
FunctionEnd

Function StationPageLeave
  ${NSD_GetText} $EnrollField $EnrollFile
  ${NSD_GetText} $NameField $StationName
  ${If} $EnrollFile == ""
  ${AndIf} $StationName == ""
    MessageBox MB_ICONEXCLAMATION "$(NeedOne)"
    Abort
  ${EndIf}
  ${If} $EnrollFile != ""
  ${AndIfNot} ${FileExists} "$EnrollFile"
    MessageBox MB_ICONEXCLAMATION "$(NoSuchFile) $EnrollFile"
    Abort
  ${EndIf}
FunctionEnd

; fail MESSAGE: shows MESSAGE (also in a silent install's details), exits 2.
!macro Fail MESSAGE
  DetailPrint "${MESSAGE}"
  MessageBox MB_ICONSTOP "${MESSAGE}" /SD IDOK
  SetErrorLevel 2
  Quit
!macroend

Section "station"
  SetRegView 64
  SetShellVarContext all
  ; An upgrade: stop the running service before replacing its program.
  ReadRegStr $R9 HKLM "SYSTEM\CurrentControlSet\Services\${SERVICE}" "ImagePath"
  ${If} $R9 != ""
  ${AndIf} ${FileExists} "$INSTDIR\station.exe"
    DetailPrint "station service stop"
    nsExec::ExecToLog '"$INSTDIR\station.exe" service stop'
    Pop $0
    Sleep 1000 ; the stopped process lets go of station.exe
  ${EndIf}

  SetOutPath "$INSTDIR"
  File "/oname=station.exe" "${STATION_EXE}"
  File "/oname=README.md" "README.md"
  WriteUninstaller "$INSTDIR\uninstall.exe"
  ; Listed in Programs at once, so that an install that fails below can be
  ; removed from there too.
  WriteRegStr HKLM "${UNINSTALL_KEY}" "DisplayName" "fieldsync 就业服务站"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "Publisher" "fieldsync"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKLM "${UNINSTALL_KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKLM "${UNINSTALL_KEY}" "NoModify" 1
  WriteRegDWORD HKLM "${UNINSTALL_KEY}" "NoRepair" 1

  ; The data folder: personal data, so SYSTEM (the service) and
  ; Administrators only, inherited by every file in it.
  CreateDirectory "$DataDir"
  nsExec::ExecToStack 'icacls "$DataDir" /inheritance:r /grant:r *S-1-5-18:(OI)(CI)F *S-1-5-32-544:(OI)(CI)F'
  Pop $0
  Pop $1
  ${If} $0 != 0
    !insertmacro Fail "$(AclFailed) $0 $1"
  ${EndIf}

  ${If} ${FileExists} "$DataDir\station.json"
    DetailPrint "$(Upgrade)"
  ${Else}
    ${If} $EnrollFile != ""
      nsExec::ExecToStack '"$INSTDIR\station.exe" init --dir "$DataDir" --enroll-file "$EnrollFile"'
    ${ElseIf} $StationName != ""
      nsExec::ExecToStack '"$INSTDIR\station.exe" init --dir "$DataDir" --standalone --name "$StationName"'
    ${Else}
      !insertmacro Fail "$(NeedOne) (/ENROLL=FILE, /NAME=NAME)"
    ${EndIf}
    Pop $0
    Pop $1
    DetailPrint "$1"
    ${If} $0 != 0
      !insertmacro Fail "$(InitFailed) $1"
    ${EndIf}
  ${EndIf}

  ${If} $R9 == ""
    nsExec::ExecToStack '"$INSTDIR\station.exe" service install --dir "$DataDir" --addr "$Addr"'
    Pop $0
    Pop $1
    DetailPrint "$1"
    ${If} $0 != 0
      !insertmacro Fail "$(ServiceFailed) $1"
    ${EndIf}
  ${EndIf}
  nsExec::ExecToStack '"$INSTDIR\station.exe" service start'
  Pop $0
  Pop $1
  DetailPrint "$1"
  ${If} $0 != 0
    !insertmacro Fail "$(ServiceFailed) $1"
  ${EndIf}

  ; Links that open the station's page in the browser.
  CreateDirectory "$SMPROGRAMS\fieldsync"
  WriteINIStr "$SMPROGRAMS\fieldsync\$(LinkName).url" "InternetShortcut" "URL" "http://$Addr/"
  WriteINIStr "$DESKTOP\$(LinkName).url" "InternetShortcut" "URL" "http://$Addr/"

SectionEnd

Function OpenStation
  ExecShell "open" "http://$Addr/"
FunctionEnd

Function un.onInit
  SetRegView 64
  SetShellVarContext all
FunctionEnd

Section "Uninstall"
  ; Stops the service and removes it; the data folder stays.
  nsExec::ExecToLog '"$INSTDIR\station.exe" service uninstall'
  Pop $0
  Delete "$SMPROGRAMS\fieldsync\*.url"
  RMDir "$SMPROGRAMS\fieldsync"
  Delete "$DESKTOP\就业服务站.url"
  Delete "$DESKTOP\Employment station.url"
  ; The service reports "stopped" a moment before its process exits, and a
  ; running program cannot be deleted: try again for up to 15 s (seen on a
  ; loaded machine), then at the next start if it is still held.
  StrCpy $1 0
  del_station:
    ClearErrors
    Delete "$INSTDIR\station.exe"
    IfFileExists "$INSTDIR\station.exe" 0 del_station_done
    IntOp $1 $1 + 1
    IntCmp $1 30 del_station_late
    Sleep 500
    Goto del_station
  del_station_late:
    Delete /REBOOTOK "$INSTDIR\station.exe"
  del_station_done:
  Delete "$INSTDIR\README.md"
  Delete "$INSTDIR\uninstall.exe"
  RMDir /REBOOTOK "$INSTDIR"
  DeleteRegKey HKLM "${UNINSTALL_KEY}"
  DetailPrint "$(UninstallKeepsData)"
SectionEnd
