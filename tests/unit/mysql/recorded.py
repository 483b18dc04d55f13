"""Replica status and grant rows as servers really return them (column names verbatim).

MariaDB rows were recorded from the 10.11 test pair (tests/integration/mysql); MySQL rows
carry the column names of SHOW REPLICA STATUS (8.0.22+, 8.4) and SHOW SLAVE STATUS (5.7) from
the MySQL reference manual, with values of a real replica.
"""

from __future__ import annotations

from typing import Any

MARIADB_10_11_HEALTHY: dict[str, Any] = {
    "Connection_name": "", "Slave_SQL_State": "Slave has read all relay log; waiting for more updates",
    "Slave_IO_State": "Waiting for master to send event", "Master_Host": "127.0.0.1",
    "Master_User": "repl", "Master_Port": 46785, "Connect_Retry": 1,
    "Master_Log_File": "binlog.000001", "Read_Master_Log_Pos": 1639,
    "Relay_Log_File": "relay.000002", "Relay_Log_Pos": 1935,
    "Relay_Master_Log_File": "binlog.000001", "Slave_IO_Running": "Yes",
    "Slave_SQL_Running": "Yes", "Replicate_Do_DB": "", "Replicate_Ignore_DB": "",
    "Replicate_Do_Table": "", "Replicate_Ignore_Table": "", "Replicate_Wild_Do_Table": "",
    "Replicate_Wild_Ignore_Table": "", "Last_Errno": 0, "Last_Error": "", "Skip_Counter": 0,
    "Exec_Master_Log_Pos": 1639, "Relay_Log_Space": 2234, "Until_Condition": "None",
    "Until_Log_File": "", "Until_Log_Pos": 0, "Master_SSL_Allowed": "No",
    "Master_SSL_CA_File": "", "Master_SSL_CA_Path": "", "Master_SSL_Cert": "",
    "Master_SSL_Cipher": "", "Master_SSL_Key": "", "Seconds_Behind_Master": 0,
    "Master_SSL_Verify_Server_Cert": "No", "Last_IO_Errno": 0, "Last_IO_Error": "",
    "Last_SQL_Errno": 0, "Last_SQL_Error": "", "Replicate_Ignore_Server_Ids": "",
    "Master_Server_Id": 1, "Master_SSL_Crl": "", "Master_SSL_Crlpath": "",
    "Using_Gtid": "Slave_Pos", "Gtid_IO_Pos": "0-1-6", "Replicate_Do_Domain_Ids": "",
    "Replicate_Ignore_Domain_Ids": "", "Parallel_Mode": "optimistic", "SQL_Delay": 0,
    "SQL_Remaining_Delay": None,
    "Slave_SQL_Running_State": "Slave has read all relay log; waiting for more updates",
    "Slave_DDL_Groups": 5, "Slave_Non_Transactional_Groups": 0, "Slave_Transactional_Groups": 1,
    "Replicate_Rewrite_DB": "", "Retried_transactions": 0, "Max_relay_log_size": 1073741824,
    "Executed_log_entries": 22, "Slave_received_heartbeats": 0, "Slave_heartbeat_period": 30.0,
    "Gtid_Slave_Pos": "0-1-6",
}  # fmt: skip

# Recorded with a wrong replication password: IO thread 'Connecting', error 1045.
MARIADB_10_11_WRONG_PASSWORD: dict[str, Any] = {
    **MARIADB_10_11_HEALTHY,
    "Slave_IO_State": "Connecting to master",
    "Slave_IO_Running": "Connecting",
    "Seconds_Behind_Master": None,
    "Last_IO_Errno": 1045,
    "Last_IO_Error": "error connecting to master 'repl@127.0.0.1:59513' - retry-time: 1  "
    "maximum-retries: 100000  message: Access denied for user 'repl'@'127.0.0.1' "
    "(using password: YES)",
}

# MySQL 8.4 SHOW REPLICA STATUS, multi-source: two channels.
MYSQL_8_4_CHANNEL_ORDERS: dict[str, Any] = {
    "Replica_IO_State": "Waiting for source to send event", "Source_Host": "10.20.0.11",
    "Source_User": "repl", "Source_Port": 3306, "Connect_Retry": 60,
    "Source_Log_File": "binlog.000042", "Read_Source_Log_Pos": 918273,
    "Relay_Log_File": "relay-orders.000007", "Relay_Log_Pos": 412,
    "Relay_Source_Log_File": "binlog.000042", "Replica_IO_Running": "Yes",
    "Replica_SQL_Running": "Yes", "Replicate_Do_DB": "", "Replicate_Ignore_DB": "",
    "Replicate_Do_Table": "", "Replicate_Ignore_Table": "", "Replicate_Wild_Do_Table": "",
    "Replicate_Wild_Ignore_Table": "", "Last_Errno": 0, "Last_Error": "", "Skip_Counter": 0,
    "Exec_Source_Log_Pos": 917001, "Relay_Log_Space": 2048, "Until_Condition": "None",
    "Until_Log_File": "", "Until_Log_Pos": 0, "Source_SSL_Allowed": "Yes",
    "Source_SSL_CA_File": "/etc/mysql/ca.pem", "Source_SSL_CA_Path": "", "Source_SSL_Cert": "",
    "Source_SSL_Cipher": "", "Source_SSL_Key": "", "Seconds_Behind_Source": 42,
    "Source_SSL_Verify_Server_Cert": "Yes", "Last_IO_Errno": 0, "Last_IO_Error": "",
    "Last_SQL_Errno": 0, "Last_SQL_Error": "", "Replicate_Ignore_Server_Ids": "",
    "Source_Server_Id": 11, "Source_UUID": "5b2e7d0a-1f5e-11ef-9c3a-42010a140011",
    "Source_Info_File": "mysql.slave_master_info", "SQL_Delay": 0, "SQL_Remaining_Delay": None,
    "Replica_SQL_Running_State": "Replica has read all relay log; waiting for more updates",
    "Source_Retry_Count": 10, "Source_Bind": "", "Last_IO_Error_Timestamp": "",
    "Last_SQL_Error_Timestamp": "", "Source_SSL_Crl": "", "Source_SSL_Crlpath": "",
    "Retrieved_Gtid_Set": "5b2e7d0a-1f5e-11ef-9c3a-42010a140011:1-90211",
    "Executed_Gtid_Set": "5b2e7d0a-1f5e-11ef-9c3a-42010a140011:1-90208", "Auto_Position": 1,
    "Replicate_Rewrite_DB": "", "Channel_Name": "orders", "Source_TLS_Version": "TLSv1.3",
    "Source_public_key_path": "", "Get_Source_public_key": 0, "Network_Namespace": "",
}  # fmt: skip

MYSQL_8_4_CHANNEL_BILLING_BROKEN: dict[str, Any] = {
    **MYSQL_8_4_CHANNEL_ORDERS,
    "Source_Host": "10.20.0.12",
    "Source_Server_Id": 12,
    "Channel_Name": "billing",
    "Replica_SQL_Running": "No",
    "Seconds_Behind_Source": None,
    "Last_Errno": 1062,
    "Last_SQL_Errno": 1062,
    "Last_SQL_Error": "Coordinator stopped because there were error(s) in the worker(s). "
    "The most recent failure being: Worker 1 failed executing transaction "
    "'5b2e7d0a-1f5e-11ef-9c3a-42010a140012:5531' at source log binlog.000019, end_log_pos "
    "77120. See error log and/or performance_schema.replication_applier_status_by_worker "
    "table for more details about this failure or others, if any.",
    "Last_SQL_Error_Timestamp": "260126 04:12:09",
    "Auto_Position": 0,
}

# MySQL 5.7 SHOW SLAVE STATUS (old names, no Source_* columns), delayed by an hour.
MYSQL_5_7_DELAYED: dict[str, Any] = {
    "Slave_IO_State": "Waiting for master to send event", "Master_Host": "db-primary.internal",
    "Master_User": "repl", "Master_Port": 3306, "Connect_Retry": 60,
    "Master_Log_File": "mysql-bin.000311", "Read_Master_Log_Pos": 4096,
    "Relay_Log_File": "relay-bin.000002", "Relay_Log_Pos": 320,
    "Relay_Master_Log_File": "mysql-bin.000310", "Slave_IO_Running": "Yes",
    "Slave_SQL_Running": "Yes", "Last_Errno": 0, "Last_Error": "", "Skip_Counter": 0,
    "Exec_Master_Log_Pos": 88000, "Relay_Log_Space": 1200000, "Master_SSL_Allowed": "No",
    "Seconds_Behind_Master": 3512, "Master_SSL_Verify_Server_Cert": "No", "Last_IO_Errno": 0,
    "Last_IO_Error": "", "Last_SQL_Errno": 0, "Last_SQL_Error": "", "Master_Server_Id": 7,
    "Master_UUID": "0c1d2e3f-aaaa-11e9-bbbb-0242ac110007",
    "Master_Info_File": "mysql.slave_master_info", "SQL_Delay": 3600,
    "SQL_Remaining_Delay": 88,
    "Slave_SQL_Running_State": "Waiting until MASTER_DELAY seconds after master executed event",
    "Master_Retry_Count": 86400, "Last_IO_Error_Timestamp": "", "Last_SQL_Error_Timestamp": "",
    "Retrieved_Gtid_Set": "", "Executed_Gtid_Set": "", "Auto_Position": 0,
    "Channel_Name": "", "Master_TLS_Version": "",
}  # fmt: skip

MYSQL_8_0_VARIABLES = [
    {"Variable_name": "binlog_format", "Value": "MIXED"},
    {"Variable_name": "gtid_mode", "Value": "ON"},
    {"Variable_name": "innodb_flush_log_at_trx_commit", "Value": "2"},
    {"Variable_name": "log_bin", "Value": "ON"},
    {"Variable_name": "read_only", "Value": "ON"},
    {"Variable_name": "require_secure_transport", "Value": "OFF"},
    {"Variable_name": "rpl_semi_sync_source_enabled", "Value": "ON"},
    {"Variable_name": "rpl_semi_sync_source_wait_for_replica_count", "Value": "2"},
    {"Variable_name": "server_id", "Value": "21"},
    {"Variable_name": "super_read_only", "Value": "OFF"},
    {"Variable_name": "sync_binlog", "Value": "0"},
    {"Variable_name": "version", "Value": "8.0.36"},
]
MYSQL_8_0_STATUS = [
    {"Variable_name": "Rpl_semi_sync_source_clients", "Value": "1"},
    {"Variable_name": "Rpl_semi_sync_source_status", "Value": "ON"},
]

# information_schema privilege rows and role edges as MariaDB 10.11 returned them.
MARIADB_LOGINS = [
    {"user": "mariadb.sys", "host": "localhost", "plugin": "mysql_native_password",
     "password_empty": 1, "locked": 1, "ssl_type": "0", "is_role": 0},
    {"user": "root", "host": "localhost", "plugin": None, "password_empty": 1, "locked": 0,
     "ssl_type": "0", "is_role": 0},
    {"user": "analyst", "host": "", "plugin": None, "password_empty": 1, "locked": 0,
     "ssl_type": "0", "is_role": 1},
    {"user": "bob", "host": "%", "plugin": "mysql_native_password", "password_empty": 0,
     "locked": 0, "ssl_type": "0", "is_role": 0},
    {"user": "nobody", "host": "10.%", "plugin": "mysql_native_password", "password_empty": 1,
     "locked": 1, "ssl_type": "0", "is_role": 0},
    {"user": "", "host": "localhost", "plugin": "mysql_native_password", "password_empty": 1,
     "locked": 0, "ssl_type": "0", "is_role": 0},
    {"user": "sslu", "host": "%", "plugin": "mysql_native_password", "password_empty": 1,
     "locked": 0, "ssl_type": "1", "is_role": 0},
    {"user": "ops", "host": "localhost", "plugin": "unix_socket", "password_empty": 1,
     "locked": 0, "ssl_type": "0", "is_role": 0},
]  # fmt: skip
ROOT_PRIVILEGES = [
    "SELECT", "INSERT", "UPDATE", "DELETE", "CREATE", "DROP", "RELOAD", "SHUTDOWN", "PROCESS",
    "FILE", "REFERENCES", "INDEX", "ALTER", "SHOW DATABASES", "SUPER",
    "CREATE TEMPORARY TABLES", "LOCK TABLES", "EXECUTE", "REPLICATION SLAVE", "BINLOG MONITOR",
    "CREATE VIEW", "SHOW VIEW", "CREATE ROUTINE", "ALTER ROUTINE", "CREATE USER", "EVENT",
    "TRIGGER", "CREATE TABLESPACE", "DELETE HISTORY", "SET USER", "FEDERATED ADMIN",
    "CONNECTION ADMIN", "READ_ONLY ADMIN", "REPLICATION SLAVE ADMIN", "REPLICATION MASTER ADMIN",
    "BINLOG ADMIN", "BINLOG REPLAY", "SLAVE MONITOR",
]  # fmt: skip
MARIADB_USER_PRIVILEGES = [
    {"GRANTEE": "'mariadb.sys'@'localhost'", "PRIVILEGE_TYPE": "USAGE", "IS_GRANTABLE": "NO"},
    *(
        {"GRANTEE": "'root'@'localhost'", "PRIVILEGE_TYPE": p, "IS_GRANTABLE": "YES"}
        for p in ROOT_PRIVILEGES
    ),
    {"GRANTEE": "'bob'@'%'", "PRIVILEGE_TYPE": "USAGE", "IS_GRANTABLE": "NO"},
    {"GRANTEE": "'sslu'@'%'", "PRIVILEGE_TYPE": "PROCESS", "IS_GRANTABLE": "NO"},
]
MARIADB_SCHEMA_PRIVILEGES = [
    {"GRANTEE": "'bob'@'%'", "TABLE_SCHEMA": "sh\\_%", "PRIVILEGE_TYPE": "SELECT",
     "IS_GRANTABLE": "NO"},
]  # fmt: skip
MARIADB_TABLE_PRIVILEGES = [
    {"GRANTEE": "'analyst'@''", "TABLE_SCHEMA": "shop", "TABLE_NAME": "customers",
     "PRIVILEGE_TYPE": "SELECT", "IS_GRANTABLE": "NO"},
]  # fmt: skip
MARIADB_COLUMN_PRIVILEGES = [
    {"GRANTEE": "'nobody'@'10.%'", "TABLE_SCHEMA": "shop", "TABLE_NAME": "customers",
     "COLUMN_NAME": "email", "PRIVILEGE_TYPE": "SELECT", "IS_GRANTABLE": "NO"},
    {"GRANTEE": "'sslu'@'%'", "TABLE_SCHEMA": "shop", "TABLE_NAME": "customers",
     "COLUMN_NAME": "phone", "PRIVILEGE_TYPE": "SELECT", "IS_GRANTABLE": "NO"},
]  # fmt: skip
MARIADB_ROLES = [{"user": "bob", "host": "%", "role": "analyst", "role_host": ""}]
COLUMNS = [
    {"TABLE_SCHEMA": "shop", "TABLE_NAME": "customers", "COLUMN_NAME": c, "DATA_TYPE": t,
     "COLUMN_COMMENT": comment}
    for c, t, comment in [
        ("id", "int", ""), ("email", "varchar", ""), ("phone", "varchar", "mobile number"),
        ("date_of_birth", "date", ""), ("notes", "text", "PII: free text from support"),
        ("plan", "varchar", ""),
    ]
] + [
    {"TABLE_SCHEMA": "sh_eu", "TABLE_NAME": "leads", "COLUMN_NAME": "aadhaar_number",
     "DATA_TYPE": "char", "COLUMN_COMMENT": ""},
    {"TABLE_SCHEMA": "shop", "TABLE_NAME": "orders", "COLUMN_NAME": "total",
     "DATA_TYPE": "decimal", "COLUMN_COMMENT": ""},
]  # fmt: skip
