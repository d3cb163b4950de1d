import PortalRPC
import PortalServices
import Testing

/// Polls and perception surveys: one response per citizen (responding again replaces the
/// answers), scope, opening and closing, and who sees the results when.
@Suite struct PollTests {
    @Test func oneResponsePerCitizenAndTheLatestAnswersCount() async throws {
        try await withPortal { p in
            let dc = try await p.staffAccount(.deputyCommissioner, "PSH")
            let ayesha = try await p.citizenAccount(district: "PSH")
            let bilal = try await p.citizenAccount(district: "PSH")
            let mardan = try await p.citizenAccount(district: "MRD")
            let survey = try await p.info.createPoll(InfoRequests.poll(scope: "PSH", questions: 2, closes: p.time(in: .seconds(86_400))),
                                                     options: dc.options)
            #expect(survey.status == .open && survey.questions.count == 2 && survey.scopeTier == .district)

            // Results after responding: not before.
            let before = try await p.info.getPoll(.with { $0.id = survey.id }, options: ayesha.options)
            #expect(!before.resultsVisible && before.results == nil && before.myAnswers.isEmpty)

            let first = try await p.info.respondToPoll(.with { $0.pollId = survey.id; $0.answers = [0, 2] }, options: ayesha.options)
            #expect(first.myAnswers == [0, 2] && first.resultsVisible)
            #expect(first.results?.respondents == 1)
            #expect(first.results?.questions.map(\.optionCounts) == [[1, 0, 0], [0, 0, 1]])

            // Responding again replaces the answers: still one respondent.
            let changed = try await p.info.respondToPoll(.with { $0.pollId = survey.id; $0.answers = [1, 2] }, options: ayesha.options)
            #expect(changed.myAnswers == [1, 2])
            #expect(changed.results?.respondents == 1)
            #expect(changed.results?.questions.map(\.optionCounts) == [[0, 1, 0], [0, 0, 1]])

            let second = try await p.info.respondToPoll(.with { $0.pollId = survey.id; $0.answers = [1, 0] }, options: bilal.options)
            #expect(second.results?.respondents == 2)
            #expect(second.results?.questions.map(\.optionCounts) == [[0, 2, 0], [1, 0, 1]])

            await expectRefused("a Mardan citizen responding to a Peshawar poll", .permissionDenied) {
                try await p.info.respondToPoll(.with { $0.pollId = survey.id; $0.answers = [0, 0] }, options: mardan.options)
            }
            await expectRefused("a DC responding", .permissionDenied) {
                try await p.info.respondToPoll(.with { $0.pollId = survey.id; $0.answers = [0, 0] }, options: dc.options)
            }
            await expectRefused("too few answers", field: "answers") {
                try await p.info.respondToPoll(.with { $0.pollId = survey.id; $0.answers = [0] }, options: bilal.options)
            }
            await expectRefused("an option that does not exist", field: "answers") {
                try await p.info.respondToPoll(.with { $0.pollId = survey.id; $0.answers = [0, 3] }, options: bilal.options)
            }
            await expectRefused("no answers", field: "answers") {
                try await p.info.respondToPoll(.with { $0.pollId = survey.id }, options: bilal.options)
            }

            // The creator always sees results; lists show the citizen's answers, not results.
            #expect(try await p.info.getPoll(.with { $0.id = survey.id }, options: dc.options).results?.respondents == 2)
            let listed = try await p.info.listPolls(.init(), options: ayesha.options).polls
            #expect(listed.map { $0.poll?.id } == [survey.id] && listed.first?.myAnswers == [1, 2] && listed.first?.results == nil)
            #expect(try await p.info.listPolls(.init(), options: mardan.options).polls.isEmpty)

            // The audit log says that citizens responded, never what they answered.
            let admin = try await p.adminAccount()
            let entries = try await p.admin.listAuditLog(.with { $0.limit = 500 }, options: admin.options).entries
            #expect(entries.filter { $0.target == "poll:\(survey.id)" }.map(\.action) == ["poll.create", "poll.respond", "poll.change_response", "poll.respond"])
            #expect(entries.allSatisfy { !$0.detail.contains("answers") })
        }
    }

    @Test func openingClosingAndResultSettings() async throws {
        try await withPortal { p in
            let commissioner = try await p.staffAccount(.commissioner, "DIV-PSH")
            let citizen = try await p.citizenAccount(district: "NSR")
            let day = p.time(in: .seconds(86_400))
            let afterClose = try await p.info.createPoll(InfoRequests.poll(scope: "DIV-PSH", visibility: .afterClose, closes: day),
                                                         options: commissioner.options)
            let staffOnly = try await p.info.createPoll(InfoRequests.poll(scope: "NSR", visibility: .staffOnly, closes: day),
                                                        options: commissioner.options)
            let scheduled = try await p.info.createPoll(InfoRequests.poll(scope: "NSR", opens: p.time(in: .seconds(3600)), closes: day),
                                                        options: commissioner.options)
            #expect(scheduled.status == .scheduled)
            await expectRefused("responding before it opens", .failedPrecondition) {
                try await p.info.respondToPoll(.with { $0.pollId = scheduled.id; $0.answers = [0] }, options: citizen.options)
            }

            let voted = try await p.info.respondToPoll(.with { $0.pollId = afterClose.id; $0.answers = [2] }, options: citizen.options)
            #expect(!voted.resultsVisible)
            _ = try await p.info.respondToPoll(.with { $0.pollId = staffOnly.id; $0.answers = [1] }, options: citizen.options)

            let closed = try await p.info.closePoll(.with { $0.id = afterClose.id }, options: commissioner.options)
            #expect(closed.status == .closed)
            await expectRefused("closing twice", .failedPrecondition) { try await p.info.closePoll(.with { $0.id = afterClose.id }, options: commissioner.options) }
            await expectRefused("responding after it closed", .failedPrecondition) {
                try await p.info.respondToPoll(.with { $0.pollId = afterClose.id; $0.answers = [0] }, options: citizen.options)
            }
            let result = try await p.info.getPoll(.with { $0.id = afterClose.id }, options: citizen.options)
            #expect(result.resultsVisible && result.results?.questions.first?.optionCounts == [0, 0, 1] && result.myAnswers == [2])

            // Closed polls are listed only on request.
            #expect(Set(try await p.info.listPolls(.init(), options: citizen.options).polls.compactMap { $0.poll?.id }) == [staffOnly.id, scheduled.id])
            #expect(try await p.info.listPolls(.with { $0.includeClosed = true }, options: citizen.options).polls.count == 3)

            // Staff only: never the citizen, always the staff in scope, also after its time.
            p.clock.advance(byDays: 2)
            let hidden = try await p.info.getPoll(.with { $0.id = staffOnly.id }, options: citizen.options)
            #expect(hidden.poll?.status == .closed && !hidden.resultsVisible && hidden.results == nil)
            #expect(try await p.info.getPoll(.with { $0.id = staffOnly.id }, options: commissioner.options).results?.respondents == 1)
        }
    }
}
