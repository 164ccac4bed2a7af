@echo off
rem kaohe: start the assessment page on this computer and open it in the
rem browser (kaohe.exe double-clicked does the same).  kaohe.exe start does
rem the work (src/starter.c): the page runs on a free port of 127.0.0.1 with
rem a secret of this start in its address, so that another user of this
rem computer cannot open this workspace; it waits until the page answers;
rem the page started before for this user is opened again while it still
rem answers; a failure (a busy port, a workspace that cannot be opened, no
rem browser) is shown here with kaohe serve's log, and a server that does
rem not answer is stopped.  This file needs no tool of Windows beyond cmd.
rem Stop: 停止考核.bat, or the page's 停止 button.
chcp 65001 >nul 2>&1
cd /d "%~dp0"
if not exist "%~dp0kaohe.exe" (
    echo 找不到 kaohe.exe：请把压缩包全部解压后，在解压出的文件夹中双击本文件。
    goto fail
)
"%~dp0kaohe.exe" start %*
if errorlevel 1 goto fail
rem A few seconds to read what it said (ping waits a second between echoes).
ping -n 4 127.0.0.1 >nul 2>&1
exit /b 0

:fail
echo.
echo 按任意键关闭本窗口。
pause >nul
exit /b 1
