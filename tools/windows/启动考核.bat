@echo off
rem kaohe: start the assessment page on this computer and open it in the
rem default browser.  Keep the black window open while you work; close it
rem to stop.  The year's uploads are kept in the "workspace" folder here.
rem kaohe takes a free port and writes the page's address (with the secret
rem made at each start) to workspace\url.txt; PowerShell opens it once there.
cd /d "%~dp0"
if not exist "%~dp0workspace" mkdir "%~dp0workspace"
del "%~dp0workspace\url.txt" 2>nul
start "" powershell -NoProfile -WindowStyle Hidden -Command "$f = '%~dp0workspace\url.txt'; for ($i = 0; $i -lt 120; $i++) { if (Test-Path $f) { Start-Process (Get-Content $f -TotalCount 1); break }; Start-Sleep -Milliseconds 500 }"
kaohe.exe serve --listen 127.0.0.1:0 --workspace "%~dp0workspace" --url-file "%~dp0workspace\url.txt"
pause
