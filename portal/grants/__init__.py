"""After the award (项目跟踪): grants, tranches, milestones, reports and spending."""
