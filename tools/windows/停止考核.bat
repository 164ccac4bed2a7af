@echo off
rem kaohe: stop the assessment page that 启动考核.bat (or kaohe.exe
rem double-clicked) started for this user, as the page's 停止 button does.
chcp 65001 >nul
setlocal EnableExtensions EnableDelayedExpansion
set "STATE=%LOCALAPPDATA%\kaohe"
if not defined LOCALAPPDATA set "STATE=%~dp0workspace\.kaohe"
set "URLF=%STATE%\url.txt"
if not exist "%URLF%" (
    echo 考核页面未在运行。
    goto done
)
set /p URL=<"%URLF%"
rem http://127.0.0.1:PORT/?token=SECRET -> the base and the secret.
for /f "tokens=1 delims=?" %%a in ("!URL!") do set "BASE=%%a"
for /f "tokens=2 delims==" %%a in ("!URL!") do set "TOKEN=%%a"
curl.exe -s -o nul -m 5 -X POST -H "Authorization: token !TOKEN!" "!BASE!api/stop"
if errorlevel 1 (
    echo 考核页面没有响应，可能已经停止。
) else (
    echo 考核页面已停止。
)
del "%URLF%" 2>nul
:done
ping -n 4 127.0.0.1 >nul 2>&1
exit /b 0
