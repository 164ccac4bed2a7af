@echo off
rem kaohe: start the assessment page on this computer and open it in the
rem browser (kaohe.exe double-clicked does the same).  The page runs on a
rem free port of 127.0.0.1 with a secret of this start in its address, so
rem that another user of this computer cannot open this workspace.  When
rem the page started before for this user still answers, it is opened
rem again.  Nothing fails silently: each failure is shown here and waits
rem for a key, and a server this started is stopped when it gives up.
rem Stop: 停止考核.bat, or the page's 停止 button.
chcp 65001 >nul
setlocal EnableExtensions EnableDelayedExpansion
cd /d "%~dp0"
set "STATE=%LOCALAPPDATA%\kaohe"
if not defined LOCALAPPDATA set "STATE=%~dp0workspace\.kaohe"
if not exist "%STATE%\" mkdir "%STATE%" 2>nul
if not exist "%STATE%\" (
    echo 无法创建文件夹 %STATE%，考核页面未启动。
    goto fail
)
set "URLF=%STATE%\url.txt"
set "LOG=%STATE%\serve.log"
set "WS=%~dp0workspace"
set "HAVECURL=1"
where curl.exe >nul 2>&1 || set "HAVECURL="

rem The page started before for this user, when it still answers.
if exist "%URLF%" (
    set /p URL=<"%URLF%"
    call :answers && goto open
    del "%URLF%" 2>nul
)
if not exist "%~dp0kaohe.exe" (
    echo 找不到 kaohe.exe：请把压缩包全部解压后，在解压出的文件夹中双击本文件。
    goto fail
)
if exist "%LOG%" move /y "%LOG%" "%LOG%.1" >nul 2>&1
rem The server in a minimized window of its own, named so that it can be
rem found and stopped if the page never answers.
set "TITLE=kaohe-serve-%RANDOM%%RANDOM%"
start "%TITLE%" /min cmd /c ""%~dp0kaohe.exe" serve --listen 127.0.0.1:0 --workspace "%WS%" --url-file "%URLF%" --desktop "%LOG%" >>"%LOG%" 2>&1"
echo 正在启动考核页面……
set /a N=0
:wait
if exist "%URLF%" (
    set /p URL=<"%URLF%"
    call :answers && goto open
)
rem Its window gone (after a second or two, once it surely exists): the
rem server ended, and says why in the log.
if !N! geq 2 (
    tasklist /v /fo csv /fi "WINDOWTITLE eq %TITLE%*" 2>nul | find /i "%TITLE%" >nul || goto ended
)
set /a N+=1
if !N! geq 30 (
    taskkill /fi "WINDOWTITLE eq %TITLE%*" /t /f >nul 2>&1
    if exist "%URLF%" del "%URLF%" 2>nul
    echo.
    echo 考核页面在 30 秒内没有响应，已停止。kaohe 的说明：
    if exist "%LOG%" type "%LOG%"
    echo （日志：%LOG%）
    goto fail
)
rem About a second (timeout /t needs a keyboard; ping 127.0.0.1 waits 1 s
rem between its two echoes).
ping -n 2 127.0.0.1 >nul 2>&1
goto wait

:ended
rem Surely nothing left running, whatever tasklist saw.
taskkill /fi "WINDOWTITLE eq %TITLE%*" /t /f >nul 2>&1
if exist "%URLF%" del "%URLF%" 2>nul
echo.
echo 考核页面未能启动。kaohe 的说明：
if exist "%LOG%" type "%LOG%"
echo （日志：%LOG%）
goto fail

:open
start "" "!URL!"
if errorlevel 1 (
    echo 无法自动打开浏览器。请在浏览器中打开下面的地址（含本次启动的密钥，请勿发给他人）：
    echo !URL!
    goto fail
)
echo 考核页面已在浏览器中打开：!URL!
echo 可以关闭本窗口。停止考核页面：双击“停止考核.bat”，或点击页面上的“停止”。
ping -n 6 127.0.0.1 >nul 2>&1
exit /b 0

rem answers: the page at URL answers (curl.exe is part of Windows 10 1803
rem and later; without it the address, written once kaohe listens, will do).
:answers
if not defined URL exit /b 1
if not defined HAVECURL exit /b 0
curl.exe -s -o nul -m 3 "!URL!"
exit /b %errorlevel%

:fail
echo.
echo 按任意键关闭本窗口。
pause >nul
exit /b 1
