package main

// The station as a Windows service (service_windows.go); elsewhere the
// command says it is for Windows only (service_other.go).

const (
	serviceName        = "fieldsync-station"
	serviceDisplayName = "fieldsync 就业服务站"
	serviceDescription = "村就业服务站：本地数据、网页与县平台同步 / " +
		"village employment service station: local data, web pages, sync with the county hub"
)

const serviceUsage = `station service: run the station as a Windows service (` + serviceName + `)
只在 Windows 上可用，需以管理员身份运行 / Windows only, run as administrator

Usage:
  station service install --dir DIR [--addr 127.0.0.1:8080]
                                   register the service (starts automatically with Windows,
                                   restarts after a failure); DIR is made by station init
  station service start            start it and wait until it runs
  station service stop             stop it and wait until it has stopped
  station service uninstall        stop and remove the service (the data in DIR stays)
`
