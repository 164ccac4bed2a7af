@echo off
rem kaohe: start the assessment page on this computer and open it in the
rem default browser.  Keep the black window open while you work; close it
rem to stop.  The year's uploads are kept in the "workspace" folder here.
cd /d "%~dp0"
start "" cmd /c "timeout /t 2 /nobreak >nul & start "" http://127.0.0.1:8787/"
kaohe.exe serve --listen 127.0.0.1:8787 --workspace "%~dp0workspace"
pause
