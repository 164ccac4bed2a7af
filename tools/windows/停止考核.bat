@echo off
rem kaohe: stop the assessment page that 启动考核.bat (or kaohe.exe
rem double-clicked) started for this user, as the page's 停止 button does.
rem kaohe.exe stop does the work (src/starter.c).
chcp 65001 >nul 2>&1
"%~dp0kaohe.exe" stop
if errorlevel 1 (
    echo.
    echo 按任意键关闭本窗口。
    pause >nul
    exit /b 1
)
ping -n 3 127.0.0.1 >nul 2>&1
exit /b 0
