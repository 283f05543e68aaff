/**
 * Our definitions of the blocks Prefect's server registers for itself (its block registry and
 * protected system blocks), plus the system blocks older SDKs still save (JSON, String, Date Time).
 *
 * `fields` is the JSON schema the SDK itself sends for each block class (pydantic's schema with
 * Prefect's block extras: block_type_slug, secret_fields, block_schema_references and, from 3.6 on,
 * field `position`s). They are kept exactly as the SDK produces them, so that the checksum we
 * compute from them (services/blocks/checksum.ts) is the one the SDK computes: a later
 * `Block.register_type_and_schema()` then finds the schema by checksum instead of adding one.
 * JSON, String and Date Time left the SDK in 3.5, so theirs are the 3.4 shapes (no positions).
 * Known checksums are pinned in test/routes/block-schemas.test.ts.
 */

export interface SystemBlock {
  name: string;
  slug: string;
  logo_url: string | null;
  documentation_url: string | null;
  description: string | null;
  code_example: string | null;
  capabilities: string[];
  /** Installed as a protected block type (cannot be deleted, nor can its schemas). */
  is_protected: boolean;
  fields: Record<string, any>;
}

export const SYSTEM_BLOCKS: SystemBlock[] = [
  {
    "name": "JSON",
    "slug": "json",
    "logo_url": "https://cdn.sanity.io/images/3ugk85nk/production/4fcef2294b6eeb423b1332d1ece5156bf296ff96-48x48.png",
    "documentation_url": "https://docs.prefect.io/latest/develop/blocks",
    "description": "A block that represents JSON. Deprecated, please use Variables to store JSON data instead.",
    "code_example": "Load a stored JSON value:\n```python\nfrom prefect.blocks.system import JSON\n\njson_block = JSON.load(\"BLOCK_NAME\")\n```",
    "capabilities": [],
    "is_protected": true,
    "fields": {
      "block_schema_references": {},
      "block_type_slug": "json",
      "description": "A block that represents JSON. Deprecated, please use Variables to store JSON data instead.",
      "properties": {
        "value": {
          "description": "A JSON-compatible value.",
          "title": "Value"
        }
      },
      "required": [
        "value"
      ],
      "secret_fields": [],
      "title": "JSON",
      "type": "object"
    }
  },
  {
    "name": "String",
    "slug": "string",
    "logo_url": "https://cdn.sanity.io/images/3ugk85nk/production/c262ea2c80a2c043564e8763f3370c3db5a6b3e6-48x48.png",
    "documentation_url": "https://docs.prefect.io/latest/develop/blocks",
    "description": "A block that represents a string. Deprecated, please use Variables to store string data instead.",
    "code_example": "Load a stored string value:\n```python\nfrom prefect.blocks.system import String\n\nstring_block = String.load(\"BLOCK_NAME\")\n```",
    "capabilities": [],
    "is_protected": true,
    "fields": {
      "block_schema_references": {},
      "block_type_slug": "string",
      "description": "A block that represents a string. Deprecated, please use Variables to store string data instead.",
      "properties": {
        "value": {
          "description": "A string value.",
          "title": "Value",
          "type": "string"
        }
      },
      "required": [
        "value"
      ],
      "secret_fields": [],
      "title": "String",
      "type": "object"
    }
  },
  {
    "name": "Date Time",
    "slug": "date-time",
    "logo_url": "https://cdn.sanity.io/images/3ugk85nk/production/8b3da9a6621e92108b8e6a75b82e15374e170ff7-48x48.png",
    "documentation_url": "https://docs.prefect.io/latest/develop/blocks",
    "description": "A block that represents a datetime. Deprecated, please use Variables to store datetime data instead.",
    "code_example": "Load a stored JSON value:\n```python\nfrom prefect.blocks.system import DateTime\n\ndata_time_block = DateTime.load(\"BLOCK_NAME\")\n```",
    "capabilities": [],
    "is_protected": true,
    "fields": {
      "block_schema_references": {},
      "block_type_slug": "date-time",
      "description": "A block that represents a datetime. Deprecated, please use Variables to store datetime data instead.",
      "properties": {
        "value": {
          "description": "An ISO 8601-compatible datetime value.",
          "format": "date-time",
          "title": "Value",
          "type": "string"
        }
      },
      "required": [
        "value"
      ],
      "secret_fields": [],
      "title": "DateTime",
      "type": "object"
    }
  },
  {
    "name": "Webhook",
    "slug": "webhook",
    "logo_url": "https://cdn.sanity.io/images/3ugk85nk/production/c7247cb359eb6cf276734d4b1fbf00fb8930e89e-250x250.png",
    "documentation_url": "https://docs.prefect.io/latest/automate/events/webhook-triggers",
    "description": "Block that enables calling webhooks.",
    "code_example": "```python\nfrom prefect.blocks.webhook import Webhook\n\nwebhook_block = Webhook.load(\"BLOCK_NAME\")\n```",
    "capabilities": [],
    "is_protected": true,
    "fields": {
      "block_schema_references": {},
      "block_type_slug": "webhook",
      "description": "Block that enables calling webhooks.",
      "properties": {
        "method": {
          "default": "POST",
          "description": "The webhook request method. Defaults to `POST`.",
          "enum": [
            "GET",
            "POST",
            "PUT",
            "PATCH",
            "DELETE"
          ],
          "title": "Method",
          "type": "string",
          "position": 0
        },
        "url": {
          "description": "The webhook URL.",
          "examples": [
            "https://hooks.slack.com/XXX"
          ],
          "format": "password",
          "title": "Webhook URL",
          "type": "string",
          "writeOnly": true,
          "position": 1
        },
        "headers": {
          "description": "A dictionary of headers to send with the webhook request.",
          "title": "Webhook Headers",
          "type": "object",
          "position": 2
        },
        "allow_private_urls": {
          "default": true,
          "description": "Whether to allow notifications to private URLs. Defaults to True.",
          "title": "Allow Private Urls",
          "type": "boolean",
          "position": 3
        },
        "verify": {
          "default": true,
          "description": "Whether or not to enforce a secure connection to the webhook.",
          "title": "Verify",
          "type": "boolean",
          "position": 4
        }
      },
      "required": [
        "url"
      ],
      "secret_fields": [
        "url",
        "headers.*"
      ],
      "title": "Webhook",
      "type": "object"
    }
  },
  {
    "name": "Secret",
    "slug": "secret",
    "logo_url": "https://cdn.sanity.io/images/3ugk85nk/production/c6f20e556dd16effda9df16551feecfb5822092b-48x48.png",
    "documentation_url": "https://docs.prefect.io/latest/develop/blocks",
    "description": "A block that represents a secret value. The value stored in this block will be obfuscated when this block is viewed or edited in the UI.",
    "code_example": "```python\nfrom prefect.blocks.system import Secret\n\nSecret(value=\"sk-1234567890\").save(\"BLOCK_NAME\", overwrite=True)\n\nsecret_block = Secret.load(\"BLOCK_NAME\")\n\n# Access the stored secret\nsecret_block.get()\n```",
    "capabilities": [],
    "is_protected": true,
    "fields": {
      "block_schema_references": {},
      "block_type_slug": "secret",
      "description": "A block that represents a secret value. The value stored in this block will be obfuscated when this block is viewed or edited in the UI.",
      "properties": {
        "value": {
          "anyOf": [
            {
              "format": "password",
              "type": "string",
              "writeOnly": true
            },
            {
              "title": "string",
              "type": "string"
            },
            {
              "$ref": "#/definitions/JsonValue",
              "title": "JSON"
            }
          ],
          "description": "A value that should be kept secret.",
          "examples": [
            "sk-1234567890",
            {
              "password": "s3cr3t",
              "username": "johndoe"
            }
          ],
          "format": "password",
          "title": "Value",
          "writeOnly": true,
          "position": 0
        }
      },
      "required": [
        "value"
      ],
      "secret_fields": [
        "value",
        "value"
      ],
      "title": "Secret",
      "type": "object",
      "definitions": {
        "JsonValue": {}
      }
    }
  },
  {
    "name": "Local File System",
    "slug": "local-file-system",
    "logo_url": "https://cdn.sanity.io/images/3ugk85nk/production/ad39089fa66d273b943394a68f003f7a19aa850e-48x48.png",
    "documentation_url": "https://docs.prefect.io/latest/develop/results#specifying-a-default-filesystem",
    "description": "Store data as a file on a local file system.",
    "code_example": "Load stored local file system config:\n```python\nfrom prefect.filesystems import LocalFileSystem\n\nlocal_file_system_block = LocalFileSystem.load(\"BLOCK_NAME\")\n```",
    "capabilities": [
      "get-directory",
      "put-directory",
      "read-path",
      "write-path"
    ],
    "is_protected": true,
    "fields": {
      "block_schema_references": {},
      "block_type_slug": "local-file-system",
      "description": "Store data as a file on a local file system.",
      "properties": {
        "basepath": {
          "anyOf": [
            {
              "type": "string"
            },
            {
              "type": "null"
            }
          ],
          "default": null,
          "description": "Default local path for this block to write to.",
          "title": "Basepath",
          "position": 0
        }
      },
      "secret_fields": [],
      "title": "LocalFileSystem",
      "type": "object"
    }
  },
  {
    "name": "Remote File System",
    "slug": "remote-file-system",
    "logo_url": "https://cdn.sanity.io/images/3ugk85nk/production/e86b41bc0f9c99ba9489abeee83433b43d5c9365-48x48.png",
    "documentation_url": "https://docs.prefect.io/latest/develop/results#specifying-a-default-filesystem",
    "description": "Store data as a file on a remote file system.\n\nSupports any remote file system supported by `fsspec`. The file system is specified\nusing a protocol. For example, \"s3://my-bucket/my-folder/\" will use S3.",
    "code_example": "Load stored remote file system config:\n```python\nfrom prefect.filesystems import RemoteFileSystem\n\nremote_file_system_block = RemoteFileSystem.load(\"BLOCK_NAME\")\n```",
    "capabilities": [
      "get-directory",
      "put-directory",
      "read-path",
      "write-path"
    ],
    "is_protected": false,
    "fields": {
      "block_schema_references": {},
      "block_type_slug": "remote-file-system",
      "description": "Store data as a file on a remote file system.\n\nSupports any remote file system supported by `fsspec`. The file system is specified\nusing a protocol. For example, \"s3://my-bucket/my-folder/\" will use S3.",
      "properties": {
        "basepath": {
          "description": "Default path for this block to write to.",
          "examples": [
            "s3://my-bucket/my-folder/"
          ],
          "title": "Basepath",
          "type": "string",
          "position": 0
        },
        "settings": {
          "description": "Additional settings to pass through to fsspec.",
          "title": "Settings",
          "type": "object",
          "position": 1
        }
      },
      "required": [
        "basepath"
      ],
      "secret_fields": [],
      "title": "RemoteFileSystem",
      "type": "object"
    }
  },
  {
    "name": "SMB",
    "slug": "smb",
    "logo_url": "https://cdn.sanity.io/images/3ugk85nk/production/3f624663f7beb97d011d011bffd51ecf6c499efc-195x195.png",
    "documentation_url": "https://docs.prefect.io/latest/develop/results#specifying-a-default-filesystem",
    "description": "Store data as a file on a SMB share.",
    "code_example": "Load stored SMB config:\n\n```python\nfrom prefect.filesystems import SMB\nsmb_block = SMB.load(\"BLOCK_NAME\")\n```",
    "capabilities": [
      "get-directory",
      "put-directory",
      "read-path",
      "write-path"
    ],
    "is_protected": false,
    "fields": {
      "block_schema_references": {},
      "block_type_slug": "smb",
      "description": "Store data as a file on a SMB share.",
      "properties": {
        "share_path": {
          "description": "SMB target (requires <SHARE>, followed by <PATH>).",
          "examples": [
            "/SHARE/dir/subdir"
          ],
          "title": "Share Path",
          "type": "string",
          "position": 0
        },
        "smb_username": {
          "anyOf": [
            {
              "format": "password",
              "type": "string",
              "writeOnly": true
            },
            {
              "type": "null"
            }
          ],
          "default": null,
          "description": "Username with access to the target SMB SHARE.",
          "title": "SMB Username",
          "position": 1
        },
        "smb_password": {
          "anyOf": [
            {
              "format": "password",
              "type": "string",
              "writeOnly": true
            },
            {
              "type": "null"
            }
          ],
          "default": null,
          "description": "Password for SMB access.",
          "title": "SMB Password",
          "position": 2
        },
        "smb_host": {
          "description": "SMB server/hostname.",
          "title": "SMB server/hostname",
          "type": "string",
          "position": 3
        },
        "smb_port": {
          "anyOf": [
            {
              "type": "integer"
            },
            {
              "type": "null"
            }
          ],
          "default": null,
          "description": "SMB port (default: 445).",
          "title": "SMB port",
          "position": 4
        }
      },
      "required": [
        "share_path",
        "smb_host"
      ],
      "secret_fields": [
        "smb_username",
        "smb_password"
      ],
      "title": "SMB",
      "type": "object"
    }
  },
  {
    "name": "Slack Webhook",
    "slug": "slack-webhook",
    "logo_url": "https://cdn.sanity.io/images/3ugk85nk/production/c1965ecbf8704ee1ea20d77786de9a41ce1087d1-500x500.png",
    "documentation_url": "https://docs.prefect.io/latest/automate/events/automations-triggers#sending-notifications-with-automations",
    "description": "Enables sending notifications via a provided Slack webhook.\n\nSupports both standard Slack webhooks (hooks.slack.com) and Slack GovCloud\nwebhooks (hooks.slack-gov.com).",
    "code_example": "Load a saved Slack webhook and send a message:\n```python\nfrom prefect.blocks.notifications import SlackWebhook\n\nslack_webhook_block = SlackWebhook.load(\"BLOCK_NAME\")\nslack_webhook_block.notify(\"Hello from Prefect!\")\n```",
    "capabilities": [
      "notify"
    ],
    "is_protected": false,
    "fields": {
      "block_schema_references": {},
      "block_type_slug": "slack-webhook",
      "description": "Enables sending notifications via a provided Slack webhook.\n\nSupports both standard Slack webhooks (hooks.slack.com) and Slack GovCloud\nwebhooks (hooks.slack-gov.com).",
      "properties": {
        "notify_type": {
          "default": "info",
          "description": "The type of notification being performed.",
          "enum": [
            "info",
            "success",
            "warning",
            "failure"
          ],
          "title": "Notify Type",
          "type": "string",
          "position": 0
        },
        "url": {
          "description": "Slack incoming webhook URL used to send notifications.",
          "examples": [
            "https://hooks.slack.com/XXX"
          ],
          "format": "password",
          "title": "Webhook URL",
          "type": "string",
          "writeOnly": true,
          "position": 1
        },
        "allow_private_urls": {
          "default": true,
          "description": "Whether to allow notifications to private URLs. Defaults to True.",
          "title": "Allow Private Urls",
          "type": "boolean",
          "position": 2
        }
      },
      "required": [
        "url"
      ],
      "secret_fields": [
        "url"
      ],
      "title": "SlackWebhook",
      "type": "object"
    }
  },
  {
    "name": "Microsoft Teams Webhook",
    "slug": "ms-teams-webhook",
    "logo_url": "https://cdn.sanity.io/images/3ugk85nk/production/817efe008a57f0a24f3587414714b563e5e23658-250x250.png",
    "documentation_url": "https://docs.prefect.io/latest/automate/events/automations-triggers#sending-notifications-with-automations",
    "description": "Enables sending notifications via a provided Microsoft Teams webhook.",
    "code_example": "Load a saved Teams webhook and send a message:\n```python\nfrom prefect.blocks.notifications import MicrosoftTeamsWebhook\nteams_webhook_block = MicrosoftTeamsWebhook.load(\"BLOCK_NAME\")\nteams_webhook_block.notify(\"Hello from Prefect!\")\n```",
    "capabilities": [
      "notify"
    ],
    "is_protected": false,
    "fields": {
      "block_schema_references": {},
      "block_type_slug": "ms-teams-webhook",
      "description": "Enables sending notifications via a provided Microsoft Teams webhook.",
      "properties": {
        "notify_type": {
          "default": "info",
          "description": "The type of notification being performed.",
          "enum": [
            "info",
            "success",
            "warning",
            "failure"
          ],
          "title": "Notify Type",
          "type": "string",
          "position": 0
        },
        "url": {
          "description": "The Microsoft Power Automate (Workflows) URL used to send notifications to Teams.",
          "examples": [
            "https://prod-NO.LOCATION.logic.azure.com:443/workflows/WFID/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=SIGNATURE"
          ],
          "format": "password",
          "title": "Webhook URL",
          "type": "string",
          "writeOnly": true,
          "position": 1
        },
        "allow_private_urls": {
          "default": true,
          "description": "Whether to allow notifications to private URLs. Defaults to True.",
          "title": "Allow Private Urls",
          "type": "boolean",
          "position": 2
        },
        "include_image": {
          "default": true,
          "description": "Include an image with the notification.",
          "title": "Include Image",
          "type": "boolean",
          "position": 3
        },
        "wrap": {
          "default": true,
          "description": "Wrap the notification text.",
          "title": "Wrap",
          "type": "boolean",
          "position": 4
        }
      },
      "required": [
        "url"
      ],
      "secret_fields": [
        "url"
      ],
      "title": "MicrosoftTeamsWebhook",
      "type": "object"
    }
  },
  {
    "name": "Pager Duty Webhook",
    "slug": "pager-duty-webhook",
    "logo_url": "https://cdn.sanity.io/images/3ugk85nk/production/8dbf37d17089c1ce531708eac2e510801f7b3aee-250x250.png",
    "documentation_url": "https://docs.prefect.io/latest/automate/events/automations-triggers#sending-notifications-with-automations",
    "description": "Enables sending notifications via a provided PagerDuty webhook.",
    "code_example": "Load a saved PagerDuty webhook and send a message:\n```python\nfrom prefect.blocks.notifications import PagerDutyWebHook\npagerduty_webhook_block = PagerDutyWebHook.load(\"BLOCK_NAME\")\npagerduty_webhook_block.notify(\"Hello from Prefect!\")\n```",
    "capabilities": [
      "notify"
    ],
    "is_protected": false,
    "fields": {
      "block_schema_references": {},
      "block_type_slug": "pager-duty-webhook",
      "description": "Enables sending notifications via a provided PagerDuty webhook.",
      "properties": {
        "notify_type": {
          "default": "info",
          "description": "The severity of the notification.",
          "enum": [
            "info",
            "success",
            "warning",
            "failure"
          ],
          "title": "Notify Type",
          "type": "string",
          "position": 0
        },
        "integration_key": {
          "description": "This can be found on the Events API V2 integration's detail page, and is also referred to as a Routing Key. This must be provided alongside `api_key`, but will error if provided alongside `url`.",
          "format": "password",
          "title": "Integration Key",
          "type": "string",
          "writeOnly": true,
          "position": 1
        },
        "api_key": {
          "description": "This can be found under Integrations. This must be provided alongside `integration_key`, but will error if provided alongside `url`.",
          "format": "password",
          "title": "API Key",
          "type": "string",
          "writeOnly": true,
          "position": 2
        },
        "source": {
          "anyOf": [
            {
              "type": "string"
            },
            {
              "type": "null"
            }
          ],
          "default": "Prefect",
          "description": "The source string as part of the payload.",
          "title": "Source",
          "position": 3
        },
        "component": {
          "default": "Notification",
          "description": "The component string as part of the payload.",
          "title": "Component",
          "type": "string",
          "position": 4
        },
        "group": {
          "anyOf": [
            {
              "type": "string"
            },
            {
              "type": "null"
            }
          ],
          "default": null,
          "description": "The group string as part of the payload.",
          "title": "Group",
          "position": 5
        },
        "class_id": {
          "anyOf": [
            {
              "type": "string"
            },
            {
              "type": "null"
            }
          ],
          "default": null,
          "description": "The class string as part of the payload.",
          "title": "Class ID",
          "position": 6
        },
        "region_name": {
          "default": "us",
          "description": "The region name.",
          "enum": [
            "us",
            "eu"
          ],
          "title": "Region Name",
          "type": "string",
          "position": 7
        },
        "clickable_url": {
          "anyOf": [
            {
              "format": "uri",
              "minLength": 1,
              "type": "string"
            },
            {
              "type": "null"
            }
          ],
          "default": null,
          "description": "A clickable URL to associate with the notice.",
          "title": "Clickable URL",
          "position": 8
        },
        "include_image": {
          "default": true,
          "description": "Associate the notification status via a represented icon.",
          "title": "Include Image",
          "type": "boolean",
          "position": 9
        },
        "custom_details": {
          "anyOf": [
            {
              "additionalProperties": {
                "type": "string"
              },
              "type": "object"
            },
            {
              "type": "null"
            }
          ],
          "default": null,
          "description": "Additional details to include as part of the payload.",
          "examples": [
            "{\"disk_space_left\": \"145GB\"}"
          ],
          "title": "Custom Details",
          "position": 10
        }
      },
      "required": [
        "integration_key",
        "api_key"
      ],
      "secret_fields": [
        "integration_key",
        "api_key"
      ],
      "title": "PagerDutyWebHook",
      "type": "object"
    }
  },
  {
    "name": "Twilio SMS",
    "slug": "twilio-sms",
    "logo_url": "https://cdn.sanity.io/images/3ugk85nk/production/8bd8777999f82112c09b9c8d57083ac75a4a0d65-250x250.png",
    "documentation_url": "https://docs.prefect.io/latest/automate/events/automations-triggers#sending-notifications-with-automations",
    "description": "Enables sending notifications via Twilio SMS.",
    "code_example": "Load a saved `TwilioSMS` block and send a message:\n```python\nfrom prefect.blocks.notifications import TwilioSMS\ntwilio_webhook_block = TwilioSMS.load(\"BLOCK_NAME\")\ntwilio_webhook_block.notify(\"Hello from Prefect!\")\n```",
    "capabilities": [
      "notify"
    ],
    "is_protected": false,
    "fields": {
      "block_schema_references": {},
      "block_type_slug": "twilio-sms",
      "description": "Enables sending notifications via Twilio SMS.",
      "properties": {
        "notify_type": {
          "default": "info",
          "description": "The type of notification being performed.",
          "enum": [
            "info",
            "success",
            "warning",
            "failure"
          ],
          "title": "Notify Type",
          "type": "string",
          "position": 0
        },
        "account_sid": {
          "description": "The Twilio Account SID - it can be found on the homepage of the Twilio console.",
          "title": "Account Sid",
          "type": "string",
          "position": 1
        },
        "auth_token": {
          "description": "The Twilio Authentication Token - it can be found on the homepage of the Twilio console.",
          "format": "password",
          "title": "Auth Token",
          "type": "string",
          "writeOnly": true,
          "position": 2
        },
        "from_phone_number": {
          "description": "The valid Twilio phone number to send the message from.",
          "examples": [
            "18001234567"
          ],
          "title": "From Phone Number",
          "type": "string",
          "position": 3
        },
        "to_phone_numbers": {
          "description": "A list of valid Twilio phone number(s) to send the message to.",
          "examples": [
            "[\"18004242424\", \"18004242425\"]"
          ],
          "items": {
            "type": "string"
          },
          "title": "To Phone Numbers",
          "type": "array",
          "position": 4
        }
      },
      "required": [
        "account_sid",
        "auth_token",
        "from_phone_number",
        "to_phone_numbers"
      ],
      "secret_fields": [
        "auth_token"
      ],
      "title": "TwilioSMS",
      "type": "object"
    }
  },
  {
    "name": "Opsgenie Webhook",
    "slug": "opsgenie-webhook",
    "logo_url": "https://cdn.sanity.io/images/3ugk85nk/production/d8b5bc6244ae6cd83b62ec42f10d96e14d6e9113-280x280.png",
    "documentation_url": "https://docs.prefect.io/latest/automate/events/automations-triggers#sending-notifications-with-automations",
    "description": "Enables sending notifications via a provided Opsgenie webhook.",
    "code_example": "Load a saved Opsgenie webhook and send a message:\n```python\nfrom prefect.blocks.notifications import OpsgenieWebhook\nopsgenie_webhook_block = OpsgenieWebhook.load(\"BLOCK_NAME\")\nopsgenie_webhook_block.notify(\"Hello from Prefect!\")\n```",
    "capabilities": [
      "notify"
    ],
    "is_protected": false,
    "fields": {
      "block_schema_references": {},
      "block_type_slug": "opsgenie-webhook",
      "description": "Enables sending notifications via a provided Opsgenie webhook.",
      "properties": {
        "notify_type": {
          "default": "info",
          "description": "The type of notification being performed.",
          "enum": [
            "info",
            "success",
            "warning",
            "failure"
          ],
          "title": "Notify Type",
          "type": "string",
          "position": 0
        },
        "apikey": {
          "description": "The API Key associated with your Opsgenie account.",
          "format": "password",
          "title": "API Key",
          "type": "string",
          "writeOnly": true,
          "position": 1
        },
        "target_user": {
          "anyOf": [
            {
              "items": {
                "type": "string"
              },
              "type": "array"
            },
            {
              "type": "null"
            }
          ],
          "default": null,
          "description": "The user(s) you wish to notify.",
          "title": "Target User",
          "position": 2
        },
        "target_team": {
          "anyOf": [
            {
              "items": {
                "type": "string"
              },
              "type": "array"
            },
            {
              "type": "null"
            }
          ],
          "default": null,
          "description": "The team(s) you wish to notify.",
          "title": "Target Team",
          "position": 3
        },
        "target_schedule": {
          "anyOf": [
            {
              "items": {
                "type": "string"
              },
              "type": "array"
            },
            {
              "type": "null"
            }
          ],
          "default": null,
          "description": "The schedule(s) you wish to notify.",
          "title": "Target Schedule",
          "position": 4
        },
        "target_escalation": {
          "anyOf": [
            {
              "items": {
                "type": "string"
              },
              "type": "array"
            },
            {
              "type": "null"
            }
          ],
          "default": null,
          "description": "The escalation(s) you wish to notify.",
          "title": "Target Escalation",
          "position": 5
        },
        "region_name": {
          "default": "us",
          "description": "The 2-character region code.",
          "enum": [
            "us",
            "eu"
          ],
          "title": "Region Name",
          "type": "string",
          "position": 6
        },
        "batch": {
          "default": false,
          "description": "Notify all targets in batches (instead of individually).",
          "title": "Batch",
          "type": "boolean",
          "position": 7
        },
        "tags": {
          "anyOf": [
            {
              "items": {
                "type": "string"
              },
              "type": "array"
            },
            {
              "type": "null"
            }
          ],
          "default": null,
          "description": "A comma-separated list of tags you can associate with your Opsgenie message.",
          "examples": [
            "[\"tag1\", \"tag2\"]"
          ],
          "title": "Tags",
          "position": 8
        },
        "priority": {
          "anyOf": [
            {
              "type": "integer"
            },
            {
              "type": "null"
            }
          ],
          "default": 3,
          "description": "The priority to associate with the message. It is on a scale between 1 (LOW) and 5 (EMERGENCY).",
          "title": "Priority",
          "position": 9
        },
        "alias": {
          "anyOf": [
            {
              "type": "string"
            },
            {
              "type": "null"
            }
          ],
          "default": null,
          "description": "The alias to associate with the message.",
          "title": "Alias",
          "position": 10
        },
        "entity": {
          "anyOf": [
            {
              "type": "string"
            },
            {
              "type": "null"
            }
          ],
          "default": null,
          "description": "The entity to associate with the message.",
          "title": "Entity",
          "position": 11
        },
        "details": {
          "anyOf": [
            {
              "additionalProperties": {
                "type": "string"
              },
              "type": "object"
            },
            {
              "type": "null"
            }
          ],
          "default": null,
          "description": "Additional details composed of key/values pairs.",
          "examples": [
            "{\"key1\": \"value1\", \"key2\": \"value2\"}"
          ],
          "title": "Details",
          "position": 12
        }
      },
      "required": [
        "apikey"
      ],
      "secret_fields": [
        "apikey"
      ],
      "title": "OpsgenieWebhook",
      "type": "object"
    }
  },
  {
    "name": "Mattermost Webhook",
    "slug": "mattermost-webhook",
    "logo_url": "https://cdn.sanity.io/images/3ugk85nk/production/1350a147130bf82cbc799a5f868d2c0116207736-250x250.png",
    "documentation_url": "https://docs.prefect.io/latest/automate/events/automations-triggers#sending-notifications-with-automations",
    "description": "Enables sending notifications via a provided Mattermost webhook.",
    "code_example": "Load a saved Mattermost webhook and send a message:\n```python\nfrom prefect.blocks.notifications import MattermostWebhook\n\nmattermost_webhook_block = MattermostWebhook.load(\"BLOCK_NAME\")\n\nmattermost_webhook_block.notify(\"Hello from Prefect!\")\n```",
    "capabilities": [
      "notify"
    ],
    "is_protected": false,
    "fields": {
      "block_schema_references": {},
      "block_type_slug": "mattermost-webhook",
      "description": "Enables sending notifications via a provided Mattermost webhook.",
      "properties": {
        "notify_type": {
          "default": "info",
          "description": "The type of notification being performed.",
          "enum": [
            "info",
            "success",
            "warning",
            "failure"
          ],
          "title": "Notify Type",
          "type": "string",
          "position": 0
        },
        "hostname": {
          "description": "The hostname of your Mattermost server.",
          "examples": [
            "Mattermost.example.com"
          ],
          "title": "Hostname",
          "type": "string",
          "position": 1
        },
        "secure": {
          "default": false,
          "description": "Whether to use secure https connection.",
          "title": "Secure",
          "type": "boolean",
          "position": 2
        },
        "token": {
          "description": "The token associated with your Mattermost webhook.",
          "format": "password",
          "title": "Token",
          "type": "string",
          "writeOnly": true,
          "position": 3
        },
        "botname": {
          "anyOf": [
            {
              "type": "string"
            },
            {
              "type": "null"
            }
          ],
          "default": null,
          "description": "The name of the bot that will send the message.",
          "title": "Bot name",
          "position": 4
        },
        "channels": {
          "anyOf": [
            {
              "items": {
                "type": "string"
              },
              "type": "array"
            },
            {
              "type": "null"
            }
          ],
          "default": null,
          "description": "The channel(s) you wish to notify.",
          "title": "Channels",
          "position": 5
        },
        "include_image": {
          "default": false,
          "description": "Whether to include the Apprise status image in the message.",
          "title": "Include Image",
          "type": "boolean",
          "position": 6
        },
        "path": {
          "anyOf": [
            {
              "type": "string"
            },
            {
              "type": "null"
            }
          ],
          "default": null,
          "description": "An optional sub-path specification to append to the hostname.",
          "title": "Path",
          "position": 7
        },
        "port": {
          "default": 8065,
          "description": "The port of your Mattermost server.",
          "title": "Port",
          "type": "integer",
          "position": 8
        }
      },
      "required": [
        "hostname",
        "token"
      ],
      "secret_fields": [
        "token"
      ],
      "title": "MattermostWebhook",
      "type": "object"
    }
  },
  {
    "name": "Discord Webhook",
    "slug": "discord-webhook",
    "logo_url": "https://cdn.sanity.io/images/3ugk85nk/production/9e94976c80ef925b66d24e5d14f0d47baa6b8f88-250x250.png",
    "documentation_url": "https://docs.prefect.io/latest/automate/events/automations-triggers#sending-notifications-with-automations",
    "description": "Enables sending notifications via a provided Discord webhook.",
    "code_example": "Load a saved Discord webhook and send a message:\n```python\nfrom prefect.blocks.notifications import DiscordWebhook\n\ndiscord_webhook_block = DiscordWebhook.load(\"BLOCK_NAME\")\n\ndiscord_webhook_block.notify(\"Hello from Prefect!\")\n```",
    "capabilities": [
      "notify"
    ],
    "is_protected": false,
    "fields": {
      "block_schema_references": {},
      "block_type_slug": "discord-webhook",
      "description": "Enables sending notifications via a provided Discord webhook.",
      "properties": {
        "notify_type": {
          "default": "info",
          "description": "The type of notification being performed.",
          "enum": [
            "info",
            "success",
            "warning",
            "failure"
          ],
          "title": "Notify Type",
          "type": "string",
          "position": 0
        },
        "webhook_id": {
          "description": "The first part of 2 tokens provided to you after creating a incoming-webhook.",
          "format": "password",
          "title": "Webhook Id",
          "type": "string",
          "writeOnly": true,
          "position": 1
        },
        "webhook_token": {
          "description": "The second part of 2 tokens provided to you after creating a incoming-webhook.",
          "format": "password",
          "title": "Webhook Token",
          "type": "string",
          "writeOnly": true,
          "position": 2
        },
        "botname": {
          "anyOf": [
            {
              "type": "string"
            },
            {
              "type": "null"
            }
          ],
          "default": null,
          "description": "Identify the name of the bot that should issue the message. If one isn't specified then the default is to just use your account (associated with the incoming-webhook).",
          "title": "Bot name",
          "position": 3
        },
        "tts": {
          "default": false,
          "description": "Whether to enable Text-To-Speech.",
          "title": "Tts",
          "type": "boolean",
          "position": 4
        },
        "include_image": {
          "default": false,
          "description": "Whether to include an image in-line with the message describing the notification type.",
          "title": "Include Image",
          "type": "boolean",
          "position": 5
        },
        "avatar": {
          "default": false,
          "description": "Whether to override the default discord avatar icon.",
          "title": "Avatar",
          "type": "boolean",
          "position": 6
        },
        "avatar_url": {
          "anyOf": [
            {
              "type": "string"
            },
            {
              "type": "null"
            }
          ],
          "default": null,
          "description": "Over-ride the default discord avatar icon URL. By default this is not set and Apprise chooses the URL dynamically based on the type of message (info, success, warning, or error).",
          "title": "Avatar URL",
          "position": 7
        }
      },
      "required": [
        "webhook_id",
        "webhook_token"
      ],
      "secret_fields": [
        "webhook_id",
        "webhook_token"
      ],
      "title": "DiscordWebhook",
      "type": "object"
    }
  },
  {
    "name": "Custom Webhook",
    "slug": "custom-webhook",
    "logo_url": "https://cdn.sanity.io/images/3ugk85nk/production/c7247cb359eb6cf276734d4b1fbf00fb8930e89e-250x250.png",
    "documentation_url": "https://docs.prefect.io/latest/automate/events/automations-triggers#sending-notifications-with-automations",
    "description": "Enables sending notifications via any custom webhook.\n\nAll nested string param contains `{{key}}` will be substituted with value from context/secrets.\n\nContext values include: `subject`, `body` and `name`.",
    "code_example": "Load a saved custom webhook and send a message:\n```python\nfrom prefect.blocks.notifications import CustomWebhookNotificationBlock\n\ncustom_webhook_block = CustomWebhookNotificationBlock.load(\"BLOCK_NAME\")\n\ncustom_webhook_block.notify(\"Hello from Prefect!\")\n```",
    "capabilities": [
      "notify"
    ],
    "is_protected": false,
    "fields": {
      "block_schema_references": {},
      "block_type_slug": "custom-webhook",
      "description": "Enables sending notifications via any custom webhook.\n\nAll nested string param contains `{{key}}` will be substituted with value from context/secrets.\n\nContext values include: `subject`, `body` and `name`.",
      "properties": {
        "name": {
          "description": "Name of the webhook.",
          "title": "Name",
          "type": "string",
          "position": 0
        },
        "url": {
          "description": "The webhook URL.",
          "examples": [
            "https://hooks.slack.com/XXX"
          ],
          "title": "Webhook URL",
          "type": "string",
          "position": 1
        },
        "method": {
          "default": "POST",
          "description": "The webhook request method. Defaults to `POST`.",
          "enum": [
            "GET",
            "POST",
            "PUT",
            "PATCH",
            "DELETE"
          ],
          "title": "Method",
          "type": "string",
          "position": 2
        },
        "params": {
          "anyOf": [
            {
              "additionalProperties": {
                "type": "string"
              },
              "type": "object"
            },
            {
              "type": "null"
            }
          ],
          "default": null,
          "description": "Custom query params.",
          "title": "Query Params",
          "position": 3
        },
        "json_data": {
          "anyOf": [
            {
              "additionalProperties": true,
              "type": "object"
            },
            {
              "type": "null"
            }
          ],
          "default": null,
          "description": "Send json data as payload.",
          "examples": [
            "{\"text\": \"{{subject}}\\n{{body}}\", \"title\": \"{{name}}\", \"token\": \"{{tokenFromSecrets}}\"}"
          ],
          "title": "JSON Data",
          "position": 4
        },
        "form_data": {
          "anyOf": [
            {
              "additionalProperties": {
                "type": "string"
              },
              "type": "object"
            },
            {
              "type": "string"
            },
            {
              "type": "null"
            }
          ],
          "default": null,
          "description": "Send form data as payload. Should not be used together with _JSON Data_. Can be a dictionary for form-encoded data or a string for raw body content.",
          "examples": [
            "{\"text\": \"{{subject}}\\n{{body}}\", \"title\": \"{{name}}\", \"token\": \"{{tokenFromSecrets}}\"}"
          ],
          "title": "Form Data",
          "position": 5
        },
        "headers": {
          "anyOf": [
            {
              "additionalProperties": {
                "type": "string"
              },
              "type": "object"
            },
            {
              "type": "null"
            }
          ],
          "default": null,
          "description": "Custom headers.",
          "title": "Headers",
          "position": 6
        },
        "cookies": {
          "anyOf": [
            {
              "additionalProperties": {
                "type": "string"
              },
              "type": "object"
            },
            {
              "type": "null"
            }
          ],
          "default": null,
          "description": "Custom cookies.",
          "title": "Cookies",
          "position": 7
        },
        "timeout": {
          "default": 10,
          "description": "Request timeout in seconds. Defaults to 10.",
          "title": "Timeout",
          "type": "number",
          "position": 8
        },
        "allow_private_urls": {
          "default": true,
          "description": "Whether to allow notifications to private URLs. Defaults to True.",
          "title": "Allow Private Urls",
          "type": "boolean",
          "position": 9
        },
        "secrets": {
          "description": "A dictionary of secret values to be substituted in other configs.",
          "examples": [
            "{\"tokenFromSecrets\":\"SomeSecretToken\"}"
          ],
          "title": "Custom Secret Values",
          "type": "object",
          "position": 10
        }
      },
      "required": [
        "name",
        "url"
      ],
      "secret_fields": [
        "secrets.*"
      ],
      "title": "CustomWebhookNotificationBlock",
      "type": "object"
    }
  },
  {
    "name": "Sendgrid Email",
    "slug": "sendgrid-email",
    "logo_url": "https://cdn.sanity.io/images/3ugk85nk/production/82bc6ed16ca42a2252a5512c72233a253b8a58eb-250x250.png",
    "documentation_url": "https://docs.prefect.io/latest/automate/events/automations-triggers#sending-notifications-with-automations",
    "description": "Enables sending notifications via Sendgrid email service.",
    "code_example": "Load a saved Sendgrid and send a email message:\n```python\nfrom prefect.blocks.notifications import SendgridEmail\n\nsendgrid_block = SendgridEmail.load(\"BLOCK_NAME\")\n\nsendgrid_block.notify(\"Hello from Prefect!\")\n```",
    "capabilities": [
      "notify"
    ],
    "is_protected": false,
    "fields": {
      "block_schema_references": {},
      "block_type_slug": "sendgrid-email",
      "description": "Enables sending notifications via Sendgrid email service.",
      "properties": {
        "notify_type": {
          "default": "info",
          "description": "The type of notification being performed.",
          "enum": [
            "info",
            "success",
            "warning",
            "failure"
          ],
          "title": "Notify Type",
          "type": "string",
          "position": 0
        },
        "api_key": {
          "description": "The API Key associated with your sendgrid account.",
          "format": "password",
          "title": "API Key",
          "type": "string",
          "writeOnly": true,
          "position": 1
        },
        "sender_email": {
          "description": "The sender email id.",
          "examples": [
            "test-support@gmail.com"
          ],
          "title": "Sender email id",
          "type": "string",
          "position": 2
        },
        "to_emails": {
          "description": "Email ids of all recipients.",
          "examples": [
            "[\"recipient1@gmail.com\", \"recipient2@gmail.com\"]"
          ],
          "items": {
            "type": "string"
          },
          "title": "Recipient emails",
          "type": "array",
          "position": 3
        }
      },
      "required": [
        "api_key",
        "sender_email",
        "to_emails"
      ],
      "secret_fields": [
        "api_key"
      ],
      "title": "SendgridEmail",
      "type": "object"
    }
  },
];
