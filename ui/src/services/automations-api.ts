import { mapper, WorkspaceAutomationsApi, type AutomationsFilter } from "@prefecthq/prefect-ui-library";
import { Automation, type AutomationFields, type AutomationRequest, type AutomationResponse } from "@/services/automation";

function toAutomation(response: AutomationResponse): Automation {
  const { actions_on_trigger, actions_on_resolve, tags } = response;
  return new Automation({
    id: response.id,
    name: response.name,
    description: response.description,
    enabled: response.enabled,
    trigger: mapper.map("AutomationTriggerResponse", response.trigger, "AutomationTrigger"),
    actions: mapper.map("AutomationActionResponse", response.actions, "AutomationAction"),
    kept: { actions_on_trigger, actions_on_resolve, tags },
  });
}

function toRequest(automation: AutomationFields): AutomationRequest {
  return {
    ...automation.kept,
    name: automation.name,
    description: automation.description ?? "",
    enabled: automation.enabled ?? true,
    trigger: mapper.map("AutomationTrigger", automation.trigger, "AutomationTriggerRequest"),
    actions: mapper.map("AutomationAction", automation.actions, "AutomationActionRequest"),
  };
}

/**
 * `/api/automations`: the library's client answers automations without their trigger and actions;
 * this one maps both (with the library's mappers) and adds creating and updating.
 */
export class AutomationsApi extends WorkspaceAutomationsApi {
  public override async getAutomation(automationId: string): Promise<Automation> {
    const { data } = await this.get<AutomationResponse>(`/${automationId}`);
    return toAutomation(data);
  }

  public override async getAutomations(filter: AutomationsFilter = {}): Promise<Automation[]> {
    const { data } = await this.post<AutomationResponse[]>("/filter", filter);
    return data.map(toAutomation);
  }

  public override async getResourceAutomations(resourceId: string): Promise<Automation[]> {
    const { data } = await this.get<AutomationResponse[]>(`/related-to/${resourceId}`);
    return data.map(toAutomation);
  }

  public async createAutomation(automation: AutomationFields): Promise<Automation> {
    const { data } = await this.post<AutomationResponse>("/", toRequest(automation));
    return toAutomation(data);
  }

  public async updateAutomation(automationId: string, automation: AutomationFields): Promise<void> {
    await this.put(`/${automationId}`, toRequest(automation));
  }
}
