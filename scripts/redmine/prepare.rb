# Prepares a fresh Redmine instance for Wardline's PM-platform tests (S15); run with `rails runner` after `rake db:migrate`.
# Loads Redmine's default data (trackers Bug/Feature/Support, statuses, priorities, roles and their workflows), enables
# the REST API, and makes one project with two members who are not administrators, as at a hospital:
#   wardline  - the account Wardline's integration signs in with (its journals are Wardline's own progress)
#   hospital  - a hospital user who files bugs and feature requests and comments on them
# plus an issue custom field that carries Wardline's number. Prints one JSON line for the test harness.
require 'json'
require 'securerandom'

Redmine::DefaultData::Loader.load('en') if Redmine::DefaultData::Loader.no_data?
Setting.rest_api_enabled = '1'
Setting.default_language = 'en'

admin = User.find_by_login('admin')
admin.update_columns(must_change_passwd: false)

def member(login, firstname, lastname)
  user = User.find_by_login(login) || User.new(firstname: firstname, lastname: lastname, mail: "#{login}@hospital.example").tap do |u|
    u.login = login
    u.password = SecureRandom.hex(16)
    u.password_confirmation = u.password
    u.save!
  end
  user
end

project = Project.find_by_identifier('his') || Project.create!(
  name: 'HIS 运维', identifier: 'his', is_public: true,
  tracker_ids: Tracker.pluck(:id), enabled_module_names: %w[issue_tracking]
)
# Enabled on the project (not "for all projects"), so an account that is not an administrator sees it in the project.
field = IssueCustomField.find_by_name('Wardline No.') || IssueCustomField.create!(
  name: 'Wardline No.', field_format: 'string', is_for_all: false, project_ids: [project.id], tracker_ids: Tracker.pluck(:id), visible: true
)
manager = Role.find_by_name('Manager')
wardline = member('wardline', 'Wardline', '运维平台')
hospital = member('hospital', '李', '护士长')
[wardline, hospital].each do |u|
  Member.create!(user: u, project: project, role_ids: [manager.id]) unless Member.exists?(user_id: u.id, project_id: project.id)
end

puts JSON.generate(
  adminKey: admin.api_key, wardlineKey: wardline.api_key, hospitalKey: hospital.api_key,
  wardlineUserId: wardline.id, hospitalUserId: hospital.id,
  projectId: project.id, projectIdentifier: project.identifier, wardlineFieldId: field.id,
  trackers: Tracker.order(:position).map { |t| { id: t.id, name: t.name } },
  statuses: IssueStatus.order(:position).map { |s| { id: s.id, name: s.name } },
  priorities: IssuePriority.order(:position).map { |p| { id: p.id, name: p.name } }
)
