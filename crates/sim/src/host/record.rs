//! The device record a host presents through the Hosts API (`GetDeviceDetailsV2`).

use serde_json::Value;

use super::{Host, Platform, clock};

impl Host {
    /// The device record as `GetDeviceDetailsV2` returns it (groups filled in by the API layer).
    pub fn device_record(&self) -> Value {
        let (platform_id, kernel) = match self.platform {
            Platform::Windows => ("0", "10.0.22631"),
            Platform::Mac => ("1", "23.6.0"),
            Platform::Linux => ("3", "5.15.0-119-generic"),
        };
        let mut parts = self.agent_version.split('.');
        let major = parts.next().unwrap_or("7");
        let minor = parts.next().unwrap_or("0");
        let build = parts.next().unwrap_or("0");
        let domain = match self.platform {
            Platform::Windows => "CORP",
            _ => "",
        };
        let seen = self.seen();
        let mut record = serde_json::json!({
            "device_id": self.device_id,
            "cid": self.cid,
            "agent_load_flags": "0",
            "agent_local_time": clock::rfc3339(seen),
            "agent_version": self.agent_version,
            "bios_manufacturer": self.system_manufacturer,
            "bios_version": "1.22.0",
            "config_id_base": "65994763",
            "config_id_build": build,
            "config_id_platform": match self.platform {
                Platform::Windows => "3",
                Platform::Mac => "4",
                Platform::Linux => "8",
            },
            "cpu_signature": "460545",
            "external_ip": self.external_ip,
            "mac_address": self.mac_address,
            "hostname": self.hostname,
            "first_seen": clock::rfc3339(self.first_seen),
            "last_seen": clock::rfc3339(seen),
            "local_ip": self.local_ip,
            "machine_domain": domain,
            "major_version": major,
            "minor_version": minor,
            "os_version": self.os_version,
        });
        let more = serde_json::json!({
            "kernel_version": kernel,
            "platform_id": platform_id,
            "platform_name": self.platform.name(),
            "policies": [],
            "reduced_functionality_mode": "no",
            "device_policies": {},
            "groups": [],
            "group_hash": "",
            "product_type_desc": self.product_type_desc,
            "provision_status": "Provisioned",
            "serial_number": format!("SN{}", &self.device_id[..10.min(self.device_id.len())].to_uppercase()),
            "status": self.status,
            "system_manufacturer": self.system_manufacturer,
            "system_product_name": self.system_product_name,
            "tags": self.tags,
            "modified_timestamp": clock::rfc3339(seen),
            "meta": { "version": "4812" },
            "connection_ip": self.local_ip,
            "default_gateway_ip": self.local_ip.rsplit_once('.').map(|(net, _)| format!("{net}.1")).unwrap_or_default(),
            "connection_mac_address": self.mac_address,
            "chassis_type": if self.product_type_desc == "Workstation" { "9" } else { "1" },
            "chassis_type_desc": if self.product_type_desc == "Workstation" { "Laptop" } else { "Other" },
        });
        if let (Value::Object(a), Value::Object(b)) = (&mut record, more) {
            a.extend(b);
        }
        record
    }
}
